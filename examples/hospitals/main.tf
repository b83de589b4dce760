# One administrative unit per hospital, with assigned members, and a local
# administrator per hospital holding User Administrator over that hospital only.
terraform {
  required_providers {
    entra = {
      source = "entra-au/entra"
    }
  }
}

provider "entra" {}

locals {
  domain = "contoso-demo.onmicrosoft.com"
  hospitals = {
    st-marys = {
      name          = "St. Mary's Hospital"
      administrator = "adelevance"
      staff         = ["alexwilber", "allandeyoung"]
    }
    riverside = {
      name          = "Riverside General"
      administrator = "benwalters"
      staff         = ["christiecline", "debraberger"]
    }
  }
  memberships = merge([
    for key, h in local.hospitals : {
      for person in h.staff : "${key}/${person}" => { hospital = key, person = person }
    }
  ]...)
  people = toset(flatten([for h in local.hospitals : concat([h.administrator], h.staff)]))
}

data "entra_user" "person" {
  for_each            = local.people
  user_principal_name = "${each.key}@${local.domain}"
}

resource "entra_administrative_unit" "hospital" {
  for_each                = local.hospitals
  display_name            = each.value.name
  description             = "Staff of ${each.value.name}"
  prevent_duplicate_names = true
}

resource "entra_au_member" "staff" {
  for_each               = local.memberships
  administrative_unit_id = entra_administrative_unit.hospital[each.value.hospital].id
  member_id              = data.entra_user.person[each.value.person].id
}

data "entra_role_definition" "user_administrator" {
  display_name = "User Administrator"
}

resource "entra_au_scoped_role_assignment" "hospital_admin" {
  for_each               = local.hospitals
  administrative_unit_id = entra_administrative_unit.hospital[each.key].id
  role_definition_id     = data.entra_role_definition.user_administrator.id
  principal_id           = data.entra_user.person[each.value.administrator].id
}
