//! The `terraform-provider-entra` plugin binary.

use std::process::ExitCode;

use terraform_provider_entra::plugin::serve;
use terraform_provider_entra::provider::{ADDRESS, EntraProvider, VERSION};

fn main() -> ExitCode {
    serve::main(EntraProvider::new(), ADDRESS, VERSION)
}
