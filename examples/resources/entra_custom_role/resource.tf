# What an integration's service principal may do inside its unit: read users,
# create groups and manage their members. Nothing tenant-wide.
resource "entra_custom_role" "group_provisioner" {
  display_name = "Integration Group Provisioner"
  description  = "Create groups and manage their members inside one administrative unit"
  allowed_resource_actions = [
    "microsoft.directory/users/standard/read",
    "microsoft.directory/groups/standard/read",
    "microsoft.directory/groups/create",
    "microsoft.directory/groups/members/update",
    "microsoft.directory/groups/members/read",
    "microsoft.directory/groups/memberOf/read",
  ]
}

resource "entra_administrative_unit" "integration" {
  display_name = "HR Integration"
}

resource "entra_au_scoped_role_assignment" "integration" {
  administrative_unit_id = entra_administrative_unit.integration.id
  role_definition_id     = entra_custom_role.group_provisioner.id
  principal_id           = "c0ffee00-0000-4000-8000-00000000b001" # the integration's service principal
}
