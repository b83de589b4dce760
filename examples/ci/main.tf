# The configuration examples/ci/emulator-ci.sh plans and applies in the CI guide's
# recipes: a unit for the Sales department, its members, and the Sales helpdesk group
# holding Helpdesk Administrator over that unit only. examples/ci/tenant.json seeds the
# emulator with the users and the group it reads. Credentials and endpoints come from
# the environment (ARM_*, ENTRA_GRAPH_ENDPOINT, ENTRA_LOGIN_ENDPOINT).
terraform {
  required_providers {
    entra = {
      source  = "entra-au/entra"
      version = "~> 0.1"
    }
  }
}

provider "entra" {}

data "entra_user" "nancy" {
  user_principal_name = "nancy@northwind-ci.onmicrosoft.com"
}

data "entra_user" "andrew" {
  user_principal_name = "andrew@northwind-ci.onmicrosoft.com"
}

data "entra_group" "helpdesk" {
  display_name = "Sales Helpdesk"
}

data "entra_role_definition" "helpdesk_administrator" {
  display_name = "Helpdesk Administrator"
}

resource "entra_administrative_unit" "sales" {
  display_name = "Sales"
  description  = "Users of the Sales department"
}

resource "entra_au_members" "sales" {
  administrative_unit_id = entra_administrative_unit.sales.id
  member_ids             = [data.entra_user.nancy.id, data.entra_user.andrew.id]
}

resource "entra_au_scoped_role_assignment" "sales_helpdesk" {
  administrative_unit_id = entra_administrative_unit.sales.id
  role_definition_id     = data.entra_role_definition.helpdesk_administrator.id
  principal_id           = data.entra_group.helpdesk.id
}

output "administrative_unit_id" {
  value = entra_administrative_unit.sales.id
}
