# By role assignment ID (the ID this resource stores):
terraform import entra_au_scoped_role_assignment.helpdesk lAPpYvVpN0KRkAEhdxReEJC2sEqbR_9Hr48lds9SGHI-1

# By the ID the hashicorp/azuread provider uses (a scoped role membership of the unit):
terraform import entra_au_scoped_role_assignment.helpdesk /directory/administrativeUnits/5d107bba-d8e2-4e13-b6ae-884be90e5d1a/scopedRoleMembers/zTVcE8KFQ0W4bI9tvt6kz-5AOA62QHJLgnvAbh9Z0r7uQTWi6U_yTLYoEC66749-U
