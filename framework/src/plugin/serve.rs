//! Process life cycle: magic-cookie check, Unix socket, handshake line (or reattach
//! line in `--debug` mode), SIGINT handling and shutdown.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::task::{Context, Poll};

use base64::Engine as _;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::Notify;
use tokio_stream::wrappers::{ReceiverStream, UnixListenerStream};
use tonic::transport::Server;
use tonic::transport::server::{Connected, Router};

use super::go_plugin::{Controller, Stdio};
use super::service::ProviderService;
use super::tls::{ServerTls, install_crypto_provider, server_tls};
use crate::Provider;
use crate::proto::plugin::grpc_controller_server::GrpcControllerServer;
use crate::proto::plugin::grpc_stdio_server::GrpcStdioServer;
use crate::proto::tfplugin6::provider_server::ProviderServer as ProviderGrpcServer;
use crate::server::ProviderServer;

/// The environment variable go-plugin sets to prove the process was started by Terraform.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Its fixed value for Terraform providers.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// Terraform and the gRPC libraries accept messages up to this size.
const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// How the process was started.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Serve for a debugger or test harness: no cookie, no TLS, print `TF_REATTACH_PROVIDERS`.
    pub debug: bool,
    /// The provider's full source address, e.g. `registry.terraform.io/entra-au/entra`.
    pub address: String,
}

/// Who the provider is, for the plugin process, its messages and its logs.
#[derive(Debug, Clone, Copy)]
pub struct Identity {
    /// The binary's name, e.g. `terraform-provider-entra`.
    pub binary: &'static str,
    /// The source address, e.g. `registry.terraform.io/entra-au/entra`.
    pub address: &'static str,
    /// The release version.
    pub version: &'static str,
    /// The `@module` of log lines, e.g. `entra`.
    pub module: &'static str,
    /// Tracing targets (crate names) that log at the level Terraform asks for; others
    /// only warn.
    pub log_targets: &'static [&'static str],
}

/// Runs the plugin process: the whole `main` of a provider binary.
pub fn main<P: Provider>(provider: P, identity: &Identity) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let version = identity.version;
    let binary = identity.binary;
    if args.iter().any(|a| a == "--version" || a == "-v") {
        println!("{binary} {version}");
        return ExitCode::SUCCESS;
    }
    let debug = args.iter().any(|a| a == "--debug" || a == "-debug");
    if !debug && std::env::var(MAGIC_COOKIE_KEY).as_deref() != Ok(MAGIC_COOKIE_VALUE) {
        let source = identity
            .address
            .split_once('/')
            .map_or(identity.address, |(_, rest)| rest);
        eprintln!(
            "This binary is a plugin. These are not meant to be executed directly.\n\
             Please execute the program that consumes these plugins, which will\n\
             load any plugins automatically.\n\n\
             {binary} {version} is a Terraform provider: declare it in\n\
             required_providers as source = \"{source}\" and run terraform.\n\
             To attach a debugger, run it with --debug."
        );
        return ExitCode::from(1);
    }
    crate::logging::init(identity.module, identity.log_targets);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the async runtime");
            return ExitCode::from(1);
        }
    };
    let options = ServeOptions {
        debug,
        address: identity.address.to_owned(),
    };
    match runtime.block_on(serve(provider, options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "provider stopped with an error");
            eprintln!("{binary}: {e}");
            ExitCode::from(1)
        }
    }
}

/// A failure to start serving.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A schema is invalid (a provider bug).
    #[error("invalid provider schema: {0}")]
    Schema(String),
    /// The socket could not be created.
    #[error("creating the plugin socket {path}: {source}")]
    Socket {
        /// The socket path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// AutoMTLS could not be set up.
    #[error(transparent)]
    Tls(#[from] super::tls::TlsError),
    /// gRPC serving failed.
    #[error("serving gRPC: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// Writing the handshake failed.
    #[error("writing the handshake: {0}")]
    Handshake(std::io::Error),
}

/// Serves `provider` until Terraform shuts it down.
pub async fn serve<P: Provider>(provider: P, options: ServeOptions) -> Result<(), ServeError> {
    install_crypto_provider();
    let server = ProviderServer::new(provider).map_err(ServeError::Schema)?;
    let server = Arc::new(server.destroying(super::parent::terraform_is_destroying()));
    let path = socket_path();
    let listener = UnixListener::bind(&path).map_err(|source| ServeError::Socket {
        path: path.clone(),
        source,
    })?;
    let _cleanup = RemoveOnDrop(path.clone());
    let tls = match std::env::var("PLUGIN_CLIENT_CERT") {
        Ok(pem) if !options.debug && !pem.trim().is_empty() => Some(server_tls(&pem)?),
        _ => None,
    };
    let shutdown = Arc::new(Notify::new());
    let router = router(server.clone(), shutdown.clone());
    // Signal handlers go in before the handshake: a signal that follows it at once
    // must find them (the default action would kill the process mid-apply).
    let signals = Signals::install().map_err(ServeError::Handshake)?;

    announce(&options, &path, tls.as_ref()).map_err(ServeError::Handshake)?;
    tracing::info!(socket = %path.display(), tls = tls.is_some(), "serving tfplugin6");

    let cancel_work = move || server.terminate();
    let stop = stop_signal(shutdown, signals, cancel_work, options.debug);
    match tls {
        Some(tls) => {
            router
                .serve_with_incoming_shutdown(tls_incoming(listener, tls), stop)
                .await?
        }
        None => {
            router
                .serve_with_incoming_shutdown(UnixListenerStream::new(listener), stop)
                .await?;
        }
    }
    tracing::info!(
        peak_rss_kib = peak_rss_kib().unwrap_or(0),
        "provider server stopped"
    );
    Ok(())
}

/// The process's peak resident memory (VmHWM), on Linux.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// All services on one router: the provider, go-plugin's controller and stdio, and health.
pub fn router<P: Provider>(server: Arc<ProviderServer<P>>, shutdown: Arc<Notify>) -> Router {
    let provider = ProviderGrpcServer::new(ProviderService::new(server))
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    let (health_reporter, health) = tonic_health::server::health_reporter();
    tokio::spawn(async move {
        health_reporter
            .set_service_status("plugin", tonic_health::ServingStatus::Serving)
            .await;
    });
    Server::builder()
        .add_service(provider)
        .add_service(GrpcControllerServer::new(Controller { shutdown }))
        .add_service(GrpcStdioServer::new(Stdio))
        .add_service(health)
}

fn socket_path() -> PathBuf {
    let dir = std::env::var_os("PLUGIN_UNIX_SOCKET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    dir.join(format!("plugin{}", uuid::Uuid::new_v4().simple()))
}

/// Prints the go-plugin handshake line, or the reattach instructions in debug mode.
fn announce(options: &ServeOptions, path: &Path, tls: Option<&ServerTls>) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    if options.debug {
        let reattach = serde_json::json!({
            options.address.clone(): {
                "Protocol": "grpc",
                "ProtocolVersion": 6,
                "Pid": std::process::id(),
                "Test": true,
                "Addr": {"Network": "unix", "String": path.display().to_string()},
            }
        });
        writeln!(
            stdout,
            "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS \
             environment variable with the following:\n\n\tTF_REATTACH_PROVIDERS='{reattach}'\n"
        )?;
    } else {
        let cert = tls
            .map(|t| base64::engine::general_purpose::STANDARD_NO_PAD.encode(&t.certificate_der))
            .unwrap_or_default();
        writeln!(stdout, "1|6|unix|{}|grpc|{cert}", path.display())?;
    }
    stdout.flush()
}

/// The signals the provider handles, registered before the handshake.
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }
}

/// How long the server keeps serving after SIGTERM when Terraform never shuts it down
/// (Terraform itself was killed): long enough for Terraform to save its state.
const TERMINATE_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// Resolves when the server should stop: the Shutdown RPC, or (debug only) a signal.
///
/// Managed plugins outlive signals the way go-plugin's do: Ctrl-C and `timeout`/CI
/// runners signal the whole process group, Terraform included, and Terraform then
/// calls StopProvider, waits for the operations in flight and records their results,
/// which needs this server. So SIGINT is ignored, and SIGTERM cancels in-flight
/// retries and waits at once (as StopProvider does) and keeps serving until Terraform
/// shuts the plugin down, or [`TERMINATE_GRACE`] has passed.
async fn stop_signal(
    shutdown: Arc<Notify>,
    mut signals: Signals,
    cancel_work: impl Fn(),
    debug: bool,
) {
    loop {
        tokio::select! {
            () = shutdown.notified() => return,
            _ = signals.interrupt.recv() => {
                if debug {
                    return;
                }
                tracing::debug!("ignoring interrupt; waiting for StopProvider from Terraform");
            }
            _ = signals.terminate.recv() => {
                if debug {
                    return;
                }
                tracing::info!("SIGTERM: cancelling in-flight work; serving until Terraform shuts the plugin down");
                cancel_work();
                tokio::select! {
                    () = shutdown.notified() => {}
                    () = tokio::time::sleep(TERMINATE_GRACE) => {
                        tracing::warn!("Terraform did not shut the plugin down after SIGTERM; stopping");
                    }
                }
                return;
            }
        }
    }
}

/// TLS-wrapped connections: each handshake runs in its own task so a slow or bad
/// client cannot hold up the accept loop.
fn tls_incoming(
    listener: UnixListener,
    tls: ServerTls,
) -> ReceiverStream<Result<TlsConnection, std::io::Error>> {
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    let acceptor = tokio_rustls::TlsAcceptor::from(tls.config);
    tokio::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a plugin connection failed");
                    continue;
                }
            };
            if tx.is_closed() {
                return;
            }
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                match acceptor.accept(stream).await {
                    Ok(tls_stream) => {
                        let _ = tx.send(Ok(TlsConnection(tls_stream))).await;
                    }
                    Err(e) => tracing::warn!(error = %e, "rejected a plugin connection (TLS)"),
                }
            });
        }
    });
    ReceiverStream::new(rx)
}

/// A TLS stream over the plugin socket, as tonic wants it.
pub struct TlsConnection(tokio_rustls::server::TlsStream<UnixStream>);

impl Connected for TlsConnection {
    type ConnectInfo = ();

    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for TlsConnection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsConnection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
