//! The `terraform-provider-entra` plugin binary.

use std::process::ExitCode;

use terraform_provider_entra::provider::{EntraProvider, IDENTITY};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("export") {
        return terraform_provider_entra::export::main(&args[1..]);
    }
    provider_framework::plugin::serve::main(EntraProvider::new(), &IDENTITY)
}
