//! `entra-emulator` binary: parse flags, bind, install signal handlers, print the
//! environment, serve until a signal.

mod cli;

use std::io::Write;

use clap::Parser;
use entra_emulator::shutdown::ShutdownSignals;
use entra_emulator::{Emulator, Options};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("entra-emulator: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = cli::Args::parse();
    if args.print_demo_seed {
        let seed = entra_emulator::store::demo::demo_seed();
        println!("{}", serde_json::to_string_pretty(&seed)?);
        return Ok(());
    }
    let faults = args.faults();
    faults.validate().map_err(anyhow::Error::msg)?;
    let summary = cli::consistency_summary(&faults);
    let options = Options {
        seed: args.seed.clone(),
        state_file: args.state.clone(),
        faults,
        token_lifetime_secs: args.token_lifetime,
        no_premium: args.no_premium,
        tls: args.tls,
        tls_ca_file: args.tls_ca_file.clone(),
        tls_names: args.tls_names.clone(),
        ..Options::default()
    };
    // Order matters: bind, install the signal handlers, print, then serve. A signal
    // sent as soon as the first line is read must find its handler in place.
    let bound = Emulator::bind(args.listen, options).await?;
    let signals = ShutdownSignals::install()?;
    {
        let mut out = std::io::stdout().lock();
        for (k, v) in bound.env() {
            writeln!(out, "{k}={v}")?;
        }
        out.flush()?;
    }
    let emulator = bound.serve();
    tracing::info!("entra-emulator listening on {}", emulator.url());
    tracing::info!("{summary}");
    if let Some(ca) = emulator.ca() {
        tracing::info!(
            "serving HTTPS with a generated CA; trust it with: export SSL_CERT_FILE={}",
            ca.path().display()
        );
    }
    signals.recv().await;
    tracing::info!("shutting down");
    emulator.shutdown().await;
    Ok(())
}
