terraform {
  required_providers {
    entra = {
      source  = "entra-au/entra"
      version = "~> 0.1"
    }
  }
}

# Credentials usually come from the environment (ARM_TENANT_ID, ARM_CLIENT_ID and
# ARM_CLIENT_SECRET, ARM_USE_OIDC, ARM_USE_MSI, ...), so the block can stay empty.
# Without any of them the provider uses the Azure CLI's signed-in account.
provider "entra" {}
