# An assigned unit: members are added with entra_au_member.
resource "entra_administrative_unit" "hospital" {
  display_name = "St. Mary's Hospital"
  description  = "Users, groups and devices of St. Mary's Hospital"
}

# A dynamic unit: Entra computes the members from the rule, checked at plan time.
# Plan fails if another unit is already called "Finance".
resource "entra_administrative_unit" "finance" {
  display_name            = "Finance"
  membership_type         = "Dynamic"
  membership_rule         = "user.department -eq \"Finance\""
  prevent_duplicate_names = true
}

# A restricted management unit whose member list only its members can read.
# Both settings are fixed at creation.
resource "entra_administrative_unit" "executives" {
  display_name                  = "Executives"
  hidden_membership_enabled     = true
  restricted_management_enabled = true

  timeouts {
    create = "10m"
  }
}
