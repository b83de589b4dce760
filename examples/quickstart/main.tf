# The quickstart: one administrative unit for a hospital.
# Credentials and endpoints come from the environment (ARM_TENANT_ID, ARM_CLIENT_ID,
# ARM_CLIENT_SECRET, ENTRA_GRAPH_ENDPOINT, ENTRA_LOGIN_ENDPOINT), which
# `make demo` takes from the entra-emulator.
terraform {
  required_providers {
    entra = {
      source = "entra-au/entra"
    }
  }
}

provider "entra" {}

resource "entra_administrative_unit" "hospital" {
  display_name = "St. Mary's Hospital"
  description  = "Users, groups and devices of St. Mary's Hospital"
}

output "administrative_unit_id" {
  value = entra_administrative_unit.hospital.id
}
