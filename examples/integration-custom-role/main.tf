# An integration's administrative unit: the groups the integration manages are in
# the unit, and the integration's service principal holds a custom role at the
# unit's scope that can create groups and manage their members, nowhere else.
# The hashicorp azuread provider cannot assign custom roles at this scope.
terraform {
  required_providers {
    entra = {
      source = "entra-au/entra"
    }
  }
}

provider "entra" {}

variable "integration_principal_id" {
  description = "Object ID of the integration's service principal."
  type        = string
  default     = "c0ffee00-0000-4000-8000-00000000b001" # the emulator's demo app
}

resource "entra_administrative_unit" "integration" {
  display_name = "HR Integration"
  description  = "Groups provisioned by the HR integration"
}

data "entra_group" "sales" {
  display_name = "Sales Team"
}

resource "entra_au_member" "sales" {
  administrative_unit_id = entra_administrative_unit.integration.id
  member_id              = data.entra_group.sales.id
}

# A custom role with group permissions only, defined in the tenant.
data "entra_role_definition" "group_manager" {
  display_name = "Integration Group Manager"
}

resource "entra_au_scoped_role_assignment" "integration" {
  administrative_unit_id = entra_administrative_unit.integration.id
  role_definition_id     = data.entra_role_definition.group_manager.id
  principal_id           = var.integration_principal_id
}

output "custom_role_is_au_scopable" {
  value = data.entra_role_definition.group_manager.au_scopable
}
