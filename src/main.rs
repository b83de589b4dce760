//! The `terraform-provider-entra` plugin binary.

use std::process::ExitCode;

use terraform_provider_entra::provider::{EntraProvider, IDENTITY};

fn main() -> ExitCode {
    provider_framework::plugin::serve::main(EntraProvider::new(), &IDENTITY)
}
