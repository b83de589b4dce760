# Every unit whose display name starts with "Seattle"; omit the prefix to list all.
data "entra_administrative_units" "seattle" {
  display_name_prefix = "Seattle"
}

output "seattle_unit_names" {
  value = data.entra_administrative_units.seattle.administrative_units[*].display_name
}
