resource "entra_administrative_unit" "finance" {
  display_name = "Finance Department"
}

# Everyone enabled in Finance today (a stand-in for an HR feed).
data "entra_membership_rule_preview" "finance" {
  rule = "user.department -eq \"Finance\" and user.accountEnabled -eq true"
}

# The unit's whole member list: apply adds whoever is missing and removes
# whoever is not listed, in batches of 20.
resource "entra_au_members" "finance" {
  administrative_unit_id = entra_administrative_unit.finance.id
  member_ids             = data.entra_membership_rule_preview.finance.object_ids
}

output "member_types" {
  value = entra_au_members.finance.member_types
}
