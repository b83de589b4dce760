# By display name (it must match exactly one unit), or by id.
data "entra_administrative_unit" "seattle" {
  display_name = "Seattle Office"
}

output "seattle_office_id" {
  value = data.entra_administrative_unit.seattle.id
}
