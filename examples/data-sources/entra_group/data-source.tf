data "entra_group" "helpdesk" {
  display_name = "Helpdesk Operators"
}

output "helpdesk_group" {
  value = {
    id                    = data.entra_group.helpdesk.id
    is_assignable_to_role = data.entra_group.helpdesk.is_assignable_to_role
  }
}
