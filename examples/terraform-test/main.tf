# A module under test: a unit and its members. `terraform test` applies it against the
# entra-emulator (ENTRA_GRAPH_ENDPOINT and ARM_* from the emulator's environment),
# checks the result, and destroys everything it made.
terraform {
  required_version = ">= 1.6"
  required_providers {
    entra = {
      source = "entra-au/entra"
    }
  }
}

provider "entra" {}

variable "unit_name" {
  type = string
}

variable "member_ids" {
  type = list(string)
}

resource "entra_administrative_unit" "this" {
  display_name = var.unit_name
}

resource "entra_au_members" "this" {
  administrative_unit_id = entra_administrative_unit.this.id
  member_ids             = var.member_ids
}

output "member_types" {
  value = entra_au_members.this.member_types
}
