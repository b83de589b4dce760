# By object ID:
terraform import entra_administrative_unit.hospital 5d107bba-d8e2-4e13-b6ae-884be90e5d1a

# By the ID the hashicorp/azuread provider uses:
terraform import entra_administrative_unit.hospital /directory/administrativeUnits/5d107bba-d8e2-4e13-b6ae-884be90e5d1a
