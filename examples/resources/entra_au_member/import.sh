# By {administrative_unit_id}/members/{member_id}:
terraform import entra_au_member.alex 5d107bba-d8e2-4e13-b6ae-884be90e5d1a/members/f8ca5a85-489a-49a0-b555-0a6d81e56f0d

# By the ID the hashicorp/azuread provider uses:
terraform import entra_au_member.alex /directory/administrativeUnits/5d107bba-d8e2-4e13-b6ae-884be90e5d1a/members/f8ca5a85-489a-49a0-b555-0a6d81e56f0d
