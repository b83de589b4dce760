# By the role definition ID.
terraform import entra_custom_role.group_provisioner 3f6c9a2e-7d4b-4c1a-9e8f-2b5d6a7c8e90
