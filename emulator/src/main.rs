//! `entra-emulator` binary: parse flags, start, print the environment, serve until a signal.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use entra_emulator::{Emulator, FaultConfig, Options};

const AFTER_HELP: &str = "\
Built-in demo tenant (used without --seed):
  tenant id       c0ffee00-0000-4000-8000-000000000000  (domain contoso-demo.onmicrosoft.com)
  full demo app   client id c0ffee00-0000-4000-8000-00000000a001
                  secret    demo~Secret.NotForProduction-0001
                  permissions AdministrativeUnit.ReadWrite.All, RoleManagement.ReadWrite.Directory,
                  Directory.Read.All, User.Read.All, Group.ReadWrite.All, Member.Read.Hidden,
                  User.ReadWrite.All, Device.ReadWrite.All
  least-privilege c0ffee00-0000-4000-8000-00000000a002 / least~Secret.NotForProduction-0002
                  (AdministrativeUnit.ReadWrite.All, RoleManagement.ReadWrite.Directory)
  reader          c0ffee00-0000-4000-8000-00000000a003 / reader~Secret.NotForProduction-0003
  no permissions  c0ffee00-0000-4000-8000-00000000a004 / noperm~Secret.NotForProduction-0004
  48 users, 6 groups (one role-assignable), 8 devices, 2 administrative units.
  Print it as a seed file with --print-demo-seed.

On start the first stdout line is ENTRA_EMULATOR_URL=http://HOST:PORT, followed by
ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET, ENTRA_GRAPH_ENDPOINT and
ENTRA_LOGIN_ENDPOINT. Token URL: {ENTRA_LOGIN_ENDPOINT}/{tenant}/oauth2/v2.0/token.
Graph: {ENTRA_GRAPH_ENDPOINT}/v1.0/... Admin: GET /_emulator/stats, POST /_emulator/reset,
GET|POST /_emulator/faults. Logs go to stderr (RUST_LOG to tune).";

/// A local Microsoft Graph + Entra token endpoint for administrative units.
#[derive(Debug, Parser)]
#[command(name = "entra-emulator", version, after_help = AFTER_HELP)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// JSON seed file describing the tenant (default: the built-in demo tenant).
    #[arg(long)]
    seed: Option<PathBuf>,
    /// Persist the tenant to this file (loaded at start when present).
    #[arg(long)]
    state: Option<PathBuf>,
    /// Print the built-in demo tenant as a seed file and exit.
    #[arg(long)]
    print_demo_seed: bool,
    /// Lifetime of issued tokens in seconds.
    #[arg(long, default_value_t = 3599)]
    token_lifetime: i64,
    /// Share (0-1) of Graph requests answered 429.
    #[arg(long, default_value_t = 0.0)]
    throttle_rate: f64,
    /// Share (0-1) of Graph requests answered with --error-status.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Status of injected errors (500, 502, 503, 504).
    #[arg(long, default_value_t = 503)]
    error_status: u16,
    /// Retry-After of injected 429/503: seconds ("2", "2.5") or "none".
    #[arg(long, default_value = "1")]
    retry_after: String,
    /// Answer the next N Graph requests with 429.
    #[arg(long, default_value_t = 0)]
    throttle_next: u32,
    /// Answer the next N Graph requests with --error-status.
    #[arg(long, default_value_t = 0)]
    error_next: u32,
    /// Added latency per Graph request (ms).
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share (0-1) of Graph requests whose connection is dropped.
    #[arg(long, default_value_t = 0.0)]
    drop_rate: f64,
    /// Drop the connection of the next N Graph requests.
    #[arg(long, default_value_t = 0)]
    drop_next: u32,
    /// Objects younger than this many ms answer 404 on reads and 400 on $ref writes.
    #[arg(long, default_value_t = 0)]
    replication_lag_ms: u64,
    /// Per-app request budget per window (0 = unlimited).
    #[arg(long, default_value_t = 0)]
    budget_requests: u32,
    /// Budget window (ms).
    #[arg(long, default_value_t = 10_000)]
    budget_window_ms: u64,
    /// Seed of the fault RNG (same seed, same faults).
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,
}

impl Args {
    fn faults(&self) -> FaultConfig {
        FaultConfig {
            throttle_rate: self.throttle_rate,
            error_rate: self.error_rate,
            error_status: self.error_status,
            retry_after: self.retry_after.clone(),
            throttle_next: self.throttle_next,
            error_next: self.error_next,
            latency_ms: self.latency_ms,
            drop_rate: self.drop_rate,
            drop_next: self.drop_next,
            replication_lag_ms: self.replication_lag_ms,
            budget_requests: self.budget_requests,
            budget_window_ms: self.budget_window_ms,
            fault_seed: self.fault_seed,
        }
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

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
    let args = Args::parse();
    if args.print_demo_seed {
        let seed = entra_emulator::store::demo::demo_seed();
        println!("{}", serde_json::to_string_pretty(&seed)?);
        return Ok(());
    }
    let faults = args.faults();
    entra_emulator::routes::emulator_admin::validate(&faults).map_err(anyhow::Error::msg)?;
    let options = Options {
        seed: args.seed.clone(),
        state_file: args.state.clone(),
        faults,
        token_lifetime_secs: args.token_lifetime,
        ..Options::default()
    };
    let emulator = Emulator::start(args.listen, options).await?;
    {
        let mut out = std::io::stdout().lock();
        for (k, v) in emulator.env() {
            writeln!(out, "{k}={v}")?;
        }
        out.flush()?;
    }
    tracing::info!("entra-emulator listening on {}", emulator.url());
    wait_for_signal().await;
    tracing::info!("shutting down");
    emulator.shutdown().await;
    Ok(())
}
