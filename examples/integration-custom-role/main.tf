# An integration's administrative unit: the integration's service principal holds a
# custom role at the unit's scope that lets it create groups there and manage their
# members, and nothing else: no Graph application permission, nothing tenant-wide.
# The hashicorp azuread provider can neither define nor assign custom roles at this scope.
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
  default     = "c0ffee00-0000-4000-8000-00000000b004" # an emulator app with no Graph permissions
}

resource "entra_administrative_unit" "integration" {
  display_name = "HR Integration"
  description  = "Groups provisioned by the HR integration"
}

# Exactly what the integration needs: read users, create groups, manage their members.
resource "entra_custom_role" "group_provisioner" {
  display_name = "HR Integration Group Provisioner"
  description  = "Create security groups and manage their members inside the HR Integration unit"
  allowed_resource_actions = [
    "microsoft.directory/users/standard/read",
    "microsoft.directory/groups/standard/read",
    "microsoft.directory/groups/create",
    "microsoft.directory/groups/members/update",
    "microsoft.directory/groups/members/read",
    "microsoft.directory/groups/memberOf/read",
  ]
}

resource "entra_au_scoped_role_assignment" "integration" {
  administrative_unit_id = entra_administrative_unit.integration.id
  role_definition_id     = entra_custom_role.group_provisioner.id
  principal_id           = var.integration_principal_id
}

output "administrative_unit_id" {
  value = entra_administrative_unit.integration.id
}
