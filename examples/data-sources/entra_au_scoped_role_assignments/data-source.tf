# Who holds which role at the Seattle office's scope.
data "entra_administrative_unit" "seattle" {
  display_name = "Seattle Office"
}

data "entra_au_scoped_role_assignments" "seattle" {
  administrative_unit_id = data.entra_administrative_unit.seattle.id
}

output "seattle_roles" {
  value = [
    for a in data.entra_au_scoped_role_assignments.seattle.assignments :
    "${a.role_name}: ${a.principal_type} ${a.principal_id}"
  ]
}
