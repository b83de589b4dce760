# Who would a dynamic unit with this rule contain? Evaluated at plan time,
# before any unit exists.
data "entra_membership_rule_preview" "finance" {
  rule = "user.department -eq \"Finance\" and user.accountEnabled -eq true"
}

output "finance_preview" {
  value = {
    subject = data.entra_membership_rule_preview.finance.subject
    count   = data.entra_membership_rule_preview.finance.match_count
    names   = data.entra_membership_rule_preview.finance.display_names
  }
}
