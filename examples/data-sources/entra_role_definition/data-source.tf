data "entra_role_definition" "helpdesk_administrator" {
  display_name = "Helpdesk Administrator"
}

output "helpdesk_administrator" {
  value = {
    id          = data.entra_role_definition.helpdesk_administrator.id
    au_scopable = data.entra_role_definition.helpdesk_administrator.au_scopable
  }
}
