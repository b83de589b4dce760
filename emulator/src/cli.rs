//! Command-line flags of the `entra-emulator` binary (binary-only module).
//!
//! Unlike the library defaults (no lag, for deterministic tests), the binary models
//! Entra's eventual consistency by default: it is what users run their HCL against,
//! and it must not be kinder than Entra.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use entra_emulator::FaultConfig;

/// Binary default of `--replication-lag-min-ms` (when neither lag flag is given).
const DEFAULT_LAG_MIN_MS: u64 = 500;
/// Binary default of `--replication-lag-ms`.
const DEFAULT_LAG_MAX_MS: u64 = 3_000;

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
                  (service principal ...b004, no role: assign it directory roles to test
                  role-based access; roles are enforced for app-only calls, see README)
  48 users, 6 groups (one role-assignable), 8 devices, 2 administrative units.
  Licence: Entra ID P1 (AAD_PREMIUM) unless --no-premium.
  Print it as a seed file with --print-demo-seed.

Eventual consistency (on by default; the emulator must not be kinder than Entra):
  Entra is modelled as a primary plus --replicas read replicas. Writes are decided on
  the primary; each change (object created/changed/deleted/restored, member link
  added/removed, role assignment, custom role) reaches each replica after its own lag,
  drawn from [--replication-lag-min-ms, --replication-lag-ms] (deterministic per
  --fault-seed). Every read is served by one replica picked at random: a new object is
  404, a patched one shows old properties, a deleted one is still served, a new member
  is missing from lists, a removed one still listed. A write addressing a lagging object
  in its path answers 404; one referencing it (@odata.id, principalId,
  directoryScopeId) answers 400 \"Not a valid reference update.\".
  Defaults: --replication-lag-min-ms 500 --replication-lag-ms 3000 --replicas 3
  --dynamic-processing-delay-ms 2000. --replication-lag-ms N alone means every change
  takes N ms; --replication-lag-ms 0 turns lag off. Dynamic membership is evaluated
  --dynamic-processing-delay-ms after a change, never inside the write.
  Header x-emulator-consistency: strong makes one request read the primary (for test
  harnesses asserting the ground truth). POST /_emulator/settle lets time pass: every
  pending change and dynamic evaluation lands at once.
  Lag windows, replica count and dynamic delay are the emulator's choices: Microsoft
  documents seconds up to a couple of minutes, not a distribution.

After-commit faults (--commit-error-*, --commit-drop-*): a successful write
(POST/PATCH/DELETE, each $batch item on its own) is stored, then answered with
--error-status or a dropped connection; a dropped $batch item drops the whole batch.

On start the first stdout line is ENTRA_EMULATOR_URL=http://HOST:PORT, followed by
ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET, ENTRA_GRAPH_ENDPOINT and
ENTRA_LOGIN_ENDPOINT; with --tls the URLs are https:// and SSL_CERT_FILE=<CA PEM file>
follows. Links in responses (@odata.nextLink, @odata.context, @odata.id) use the scheme
and Host the client used, or X-Forwarded-Proto/X-Forwarded-Host from a TLS front.
Token URL: {ENTRA_LOGIN_ENDPOINT}/{tenant}/oauth2/v2.0/token.
Graph: {ENTRA_GRAPH_ENDPOINT}/v1.0/... Admin: GET /_emulator/stats, POST /_emulator/reset,
POST /_emulator/settle, GET|POST /_emulator/faults. Logs go to stderr (RUST_LOG to tune).";

/// A local Microsoft Graph + Entra token endpoint for administrative units.
#[derive(Debug, Parser)]
#[command(name = "entra-emulator", version, after_help = AFTER_HELP)]
pub(crate) struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub(crate) listen: SocketAddr,
    /// JSON seed file describing the tenant (default: the built-in demo tenant).
    #[arg(long)]
    pub(crate) seed: Option<PathBuf>,
    /// Persist the tenant to this file (loaded at start when present).
    #[arg(long)]
    pub(crate) state: Option<PathBuf>,
    /// Print the built-in demo tenant as a seed file and exit.
    #[arg(long)]
    pub(crate) print_demo_seed: bool,
    /// Lifetime of issued tokens in seconds.
    #[arg(long, default_value_t = 3599)]
    pub(crate) token_lifetime: i64,
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
    /// Share (0-1) of successful writes stored, then answered with --error-status.
    #[arg(long, default_value_t = 0.0)]
    commit_error_rate: f64,
    /// Store the next N successful writes, then answer them with --error-status.
    #[arg(long, default_value_t = 0)]
    commit_error_next: u32,
    /// Share (0-1) of successful writes stored, then losing their connection.
    #[arg(long, default_value_t = 0.0)]
    commit_drop_rate: f64,
    /// Store the next N successful writes, then drop their connection.
    #[arg(long, default_value_t = 0)]
    commit_drop_next: u32,
    /// Longest time (ms) a change takes to reach a read replica [default: 3000; 0 = off].
    #[arg(long)]
    replication_lag_ms: Option<u64>,
    /// Shortest time (ms) a change takes to reach a read replica [default: 500 when
    /// --replication-lag-ms is not given, else equal to it].
    #[arg(long)]
    replication_lag_min_ms: Option<u64>,
    /// Number of read replicas (each read is served by one of them).
    #[arg(long, default_value_t = 3)]
    replicas: u32,
    /// Delay (ms) between a change and the dynamic-membership evaluation it causes.
    #[arg(long, default_value_t = 2_000)]
    dynamic_processing_delay_ms: u64,
    /// The tenant has no Entra ID P1/P2 licence (GET /subscribedSkus lists only
    /// Exchange Online Plan 1).
    #[arg(long)]
    pub(crate) no_premium: bool,
    /// Refuse roleAssignments listings filtered on directoryScopeId alone (400).
    #[arg(long)]
    refuse_scope_only_role_filter: bool,
    /// Per-app request budget per window (0 = unlimited).
    #[arg(long, default_value_t = 0)]
    budget_requests: u32,
    /// Budget window (ms).
    #[arg(long, default_value_t = 10_000)]
    budget_window_ms: u64,
    /// Seed of the fault RNG (same seed, same faults, replicas and lags).
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,
    /// Serve HTTPS with a CA generated at start (its PEM file is printed as
    /// SSL_CERT_FILE=...).
    #[arg(long)]
    pub(crate) tls: bool,
    /// Write the generated CA certificate here (default: a new file in the temporary
    /// directory, removed at shutdown).
    #[arg(long, value_name = "FILE", requires = "tls")]
    pub(crate) tls_ca_file: Option<PathBuf>,
    /// Extra DNS name or IP for the server certificate (repeatable); localhost,
    /// 127.0.0.1, ::1 and the listen IP are always included.
    #[arg(long = "tls-name", value_name = "NAME", requires = "tls")]
    pub(crate) tls_names: Vec<String>,
}

impl Args {
    /// The lag window: both flags as given, `--replication-lag-ms N` alone as a fixed
    /// lag, neither as the binary's realistic default.
    fn lag_window(&self) -> (Option<u64>, u64) {
        match (self.replication_lag_min_ms, self.replication_lag_ms) {
            (None, None) => (Some(DEFAULT_LAG_MIN_MS), DEFAULT_LAG_MAX_MS),
            (min, Some(max)) => (min, max),
            (Some(min), None) => (Some(min), DEFAULT_LAG_MAX_MS.max(min)),
        }
    }

    /// The fault and consistency settings the flags describe.
    pub(crate) fn faults(&self) -> FaultConfig {
        let (replication_lag_min_ms, replication_lag_ms) = self.lag_window();
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
            commit_error_rate: self.commit_error_rate,
            commit_error_next: self.commit_error_next,
            commit_drop_rate: self.commit_drop_rate,
            commit_drop_next: self.commit_drop_next,
            replication_lag_ms,
            replication_lag_min_ms: if replication_lag_ms == 0 {
                None
            } else {
                replication_lag_min_ms
            },
            replicas: self.replicas,
            dynamic_processing_delay_ms: self.dynamic_processing_delay_ms,
            refuse_scope_only_role_filter: self.refuse_scope_only_role_filter,
            budget_requests: self.budget_requests,
            budget_window_ms: self.budget_window_ms,
            fault_seed: self.fault_seed,
        }
    }
}

/// One stderr line describing the consistency model in force.
pub(crate) fn consistency_summary(f: &FaultConfig) -> String {
    if f.replication_lag_ms == 0 {
        return format!(
            "consistency: replication lag off (reads see every write at once); dynamic membership evaluated {} ms after a change",
            f.dynamic_processing_delay_ms
        );
    }
    let min = f
        .replication_lag_min_ms
        .unwrap_or(f.replication_lag_ms)
        .min(f.replication_lag_ms);
    format!(
        "consistency: {} read replica(s), replication lag {min}-{} ms per change, dynamic membership evaluated {} ms after a change (header x-emulator-consistency: strong reads the primary; POST /_emulator/settle lets time pass)",
        f.replicas.max(1),
        f.replication_lag_ms,
        f.dynamic_processing_delay_ms
    )
}
