resource "entra_administrative_unit" "hospital" {
  display_name = "St. Mary's Hospital"
}

data "entra_user" "alex" {
  user_principal_name = "alexwilber@contoso-demo.onmicrosoft.com"
}

data "entra_group" "sales" {
  display_name = "Sales Team"
}

# A user in the unit.
resource "entra_au_member" "alex" {
  administrative_unit_id = entra_administrative_unit.hospital.id
  member_id              = data.entra_user.alex.id
}

# A group in the unit: the group object is in scope, not its members.
resource "entra_au_member" "sales" {
  administrative_unit_id = entra_administrative_unit.hospital.id
  member_id              = data.entra_group.sales.id
}
