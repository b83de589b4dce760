data "entra_user" "adele" {
  user_principal_name = "adelevance@contoso-demo.onmicrosoft.com"
}

output "adele" {
  value = {
    id         = data.entra_user.adele.id
    department = data.entra_user.adele.department
  }
}
