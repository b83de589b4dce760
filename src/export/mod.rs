//! `terraform-provider-entra export`: writes a Terraform configuration that manages
//! a tenant's administrative units, memberships and scoped roles as they are, with
//! an import block for each, so adopting a tenant is one command and one apply.

pub mod args;
pub mod hcl;
pub mod names;
pub mod render;
pub mod tenant;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use provider_framework::Diagnostics;
use tokio_util::sync::CancellationToken;

pub use args::{ArgsError, ExportArgs, MemberStyle, USAGE, parse};

use crate::graph::Call;
use crate::provider::config::ProcessEnv;
use crate::provider::{VERSION, connect, unset_config};

/// How long the whole export may take, retries and throttling included.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// Runs `export` with the words after it; the exit code says whether it worked.
pub fn main(words: &[String]) -> ExitCode {
    let args = match parse(words) {
        Ok(args) => args,
        Err(ArgsError::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(ArgsError::Invalid(why)) => {
            eprintln!("export: {why}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("export: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(diags) => {
            for d in &diags.0 {
                eprintln!("Error: {}\n\n{}\n", d.summary, d.detail);
            }
            ExitCode::FAILURE
        }
    }
}

/// Reads the tenant and writes the configuration into `args.out`.
pub async fn run(args: &ExportArgs) -> Result<(), Diagnostics> {
    let started = Instant::now();
    let user_agent = format!("terraform-provider-entra/{VERSION} export");
    let graph = connect(&unset_config(), &ProcessEnv, user_agent).await?;
    let call = Call::new(EXPORT_TIMEOUT, CancellationToken::new());
    let progress = |line: String| eprintln!("export: {line}");
    let tenant = tenant::read(
        &graph,
        &call,
        args.display_name_prefix.as_deref(),
        &progress,
    )
    .await?;
    let (files, counts) = render::files(&tenant, args.members);
    write(&args.out, &files)?;
    progress(format!(
        "wrote {} files to {}: {} units, {} memberships, {} role assignments, {} import blocks; {} Graph requests in {:.1} s",
        files.len(),
        args.out.display(),
        counts.units,
        counts.memberships,
        counts.assignments,
        counts.imports,
        graph.requests_sent(),
        started.elapsed().as_secs_f64()
    ));
    progress(format!(
        "next: cd {} && terraform init && terraform plan",
        args.out.display()
    ));
    Ok(())
}

fn write(dir: &std::path::Path, files: &[render::File]) -> Result<(), Diagnostics> {
    let fail = |what: String, e: std::io::Error| {
        Diagnostics::from(provider_framework::Diagnostic::error(
            "Writing the configuration",
            format!("{what}: {e}"),
        ))
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(format!("creating {}", dir.display()), e))?;
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| fail(format!("writing {}", path.display()), e))?;
    }
    Ok(())
}
