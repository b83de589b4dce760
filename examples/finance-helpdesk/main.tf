# Finance helpdesk delegation: a dynamic administrative unit holding every user of
# the Finance department, and the helpdesk operators' group holding Helpdesk
# Administrator over that unit only (password resets for Finance, nobody else).
terraform {
  required_providers {
    entra = {
      source = "entra-au/entra"
    }
  }
}

provider "entra" {}

# Who would the rule select? Evaluated before anything is applied.
data "entra_membership_rule_preview" "finance" {
  rule = "user.department -eq \"Finance\""
}

resource "entra_administrative_unit" "finance" {
  display_name    = "Finance"
  description     = "Every user of the Finance department"
  membership_type = "Dynamic"
  membership_rule = data.entra_membership_rule_preview.finance.rule
}

data "entra_group" "helpdesk" {
  display_name = "Helpdesk Operators"
}

data "entra_role_definition" "helpdesk_administrator" {
  display_name = "Helpdesk Administrator"
}

resource "entra_au_scoped_role_assignment" "finance_helpdesk" {
  administrative_unit_id = entra_administrative_unit.finance.id
  role_definition_id     = data.entra_role_definition.helpdesk_administrator.id
  principal_id           = data.entra_group.helpdesk.id
}

output "finance_users" {
  value = data.entra_membership_rule_preview.finance.match_count
}
