resource "entra_administrative_unit" "hospital" {
  display_name = "St. Mary's Hospital"
}

data "entra_role_definition" "helpdesk_administrator" {
  display_name = "Helpdesk Administrator"
}

# A role-assignable group (is_assignable_to_role = true).
data "entra_group" "helpdesk" {
  display_name = "Helpdesk Operators"
}

# The group's members may reset passwords of the unit's users, and nobody else's.
resource "entra_au_scoped_role_assignment" "helpdesk" {
  administrative_unit_id = entra_administrative_unit.hospital.id
  role_definition_id     = data.entra_role_definition.helpdesk_administrator.id
  principal_id           = data.entra_group.helpdesk.id
}
