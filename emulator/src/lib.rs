//! `entra-emulator`: a local Microsoft Graph and Entra token endpoint that keeps a
//! tenant (users, groups, devices, administrative units, roles) and behaves like Graph,
//! faults included.
//!
//! Start one in-process with [`Emulator::start`] (async) or [`BackgroundEmulator::start`]
//! (own thread, for synchronous tests), or drive [`app`] with `tower::ServiceExt::oneshot`.
//!
//! # Layout
//!
//! A module imports only from its own layer or the layers before it, and no two module
//! files import each other, directly or around a loop (`scripts/check-module-cycles.py
//! emulator/src` checks it):
//!
//! 1. `context`, `error`, `rng`: request ids, Graph's error envelopes, the seeded RNG.
//! 2. `store`: the data model, the tenant and its change journal, seeds, the demo tenant.
//! 3. `replication`, `view`, `dynamic`, `filter`, `odata`, `faults`, `stats`, `auth`,
//!    `assertion`, `consistency`, `persist`: what a lagging replica sees, dynamic
//!    membership, queries, fault decisions, counters, tokens and client credentials.
//!    `authz` (after `view`): application permissions or directory roles at a scope.
//! 4. `directory` (the primary, the replication log, pending evaluations) and `options`.
//! 5. `state`: [`AppState`], everything above behind one handle.
//! 6. `routes`: `common`, `objects`, `references`, `member_lists` and `middleware` under
//!    the route files, and `routes/mod.rs`, which only assembles the Graph router.
//! 7. This file ([`app`], [`Emulator`]), then the binary (`main.rs`, `cli.rs`).

pub mod assertion;
pub mod auth;
pub mod authz;
pub mod consistency;
pub mod context;
pub mod directory;
pub mod dynamic;
pub mod error;
pub mod faults;
pub mod filter;
pub mod odata;
pub mod options;
pub mod persist;
pub mod replication;
mod rng;
pub mod routes;
pub mod shutdown;
pub mod state;
pub mod stats;
pub mod store;
pub mod view;

use std::net::SocketAddr;

use axum::Router;
use tokio::sync::oneshot;

pub use error::{AppError, AppResult};
pub use faults::FaultConfig;
pub use options::Options;
pub use state::AppState;
pub use store::demo::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_DOMAIN, DEMO_TENANT_ID};
pub use store::seed::Seed;

/// The whole HTTP application: Graph (`/v1.0`, `/beta`), the token endpoint and
/// `/_emulator/*`.
pub fn app(state: AppState) -> Router {
    let inner = Router::new()
        .merge(routes::graph_router(state.clone()))
        .merge(routes::token::routes(state.clone()))
        .merge(routes::emulator_admin::routes(state));
    // Object ids are case-insensitive in Graph; rewrite them before routing.
    let normalized = tower::Layer::layer(
        &tower::util::MapRequestLayer::new(routes::common::lowercase_guids),
        inner,
    );
    Router::new()
        .fallback_service(normalized)
        .layer(axum::middleware::from_fn(context::request_ids))
}

/// The `KEY=VALUE` environment for clients of an emulator at `url`.
fn env_for(url: &str, state: &AppState) -> Vec<(String, String)> {
    let (tenant, client_id, secret) = state.read(|t| {
        let app = t
            .app(DEMO_CLIENT_ID)
            .filter(|a| !a.secrets.is_empty())
            .or_else(|| t.apps.iter().find(|a| !a.secrets.is_empty()));
        (
            t.tenant_id.clone(),
            app.map(|a| a.app_id.clone()).unwrap_or_default(),
            app.and_then(|a| a.secrets.first().cloned())
                .unwrap_or_default(),
        )
    });
    vec![
        ("ENTRA_EMULATOR_URL".into(), url.to_owned()),
        ("ARM_TENANT_ID".into(), tenant),
        ("ARM_CLIENT_ID".into(), client_id),
        ("ARM_CLIENT_SECRET".into(), secret),
        ("ENTRA_GRAPH_ENDPOINT".into(), url.to_owned()),
        ("ENTRA_LOGIN_ENDPOINT".into(), url.to_owned()),
    ]
}

fn url_for(addr: SocketAddr) -> String {
    let ip = addr.ip();
    let host = if ip.is_unspecified() {
        if ip.is_ipv4() {
            "127.0.0.1".to_owned()
        } else {
            "[::1]".to_owned()
        }
    } else if ip.is_ipv6() {
        format!("[{ip}]")
    } else {
        ip.to_string()
    };
    format!("http://{host}:{}", addr.port())
}

/// A running emulator server.
#[derive(Debug)]
pub struct Emulator {
    url: String,
    state: AppState,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

/// An emulator bound to its address but not serving yet: lets a binary install its
/// signal handlers and print its address before the first request is served.
#[derive(Debug)]
pub struct BoundEmulator {
    listener: tokio::net::TcpListener,
    url: String,
    state: AppState,
}

impl BoundEmulator {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Same as [`Emulator::env`].
    pub fn env(&self) -> Vec<(String, String)> {
        env_for(&self.url, &self.state)
    }

    /// The shared state (tenant, counters, faults).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Starts serving.
    pub fn serve(self) -> Emulator {
        let (stop, stopped) = oneshot::channel::<()>();
        let router = app(self.state.clone());
        let listener = self.listener;
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async move {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::error!("emulator server error: {e}");
            }
        });
        Emulator {
            url: self.url,
            state: self.state,
            stop,
            task,
        }
    }
}

impl Emulator {
    /// Binds `listen` and serves the tenant described by `options`.
    pub async fn start(listen: SocketAddr, options: Options) -> anyhow::Result<Emulator> {
        Ok(Self::bind(listen, options).await?.serve())
    }

    /// Builds the tenant described by `options` and binds `listen`, without serving.
    pub async fn bind(listen: SocketAddr, options: Options) -> anyhow::Result<BoundEmulator> {
        let state = AppState::new(&options)?;
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let url = url_for(addr);
        state.add_own_url(url.clone());
        if addr.ip().is_unspecified() {
            state.add_own_url(format!("http://localhost:{}", addr.port()));
        }
        Ok(BoundEmulator {
            listener,
            url,
            state,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// `ENTRA_EMULATOR_URL` first, then `ARM_TENANT_ID`, `ARM_CLIENT_ID`,
    /// `ARM_CLIENT_SECRET`, `ENTRA_GRAPH_ENDPOINT`, `ENTRA_LOGIN_ENDPOINT`.
    pub fn env(&self) -> Vec<(String, String)> {
        env_for(&self.url, &self.state)
    }

    /// The shared state (tenant, counters, faults).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops accepting, finishes in-flight requests and saves state.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
        self.state.flush();
    }
}

/// Runs an emulator on its own thread and tokio runtime, for synchronous test harnesses.
/// Drop stops it.
#[derive(Debug)]
pub struct BackgroundEmulator {
    url: String,
    env: Vec<(String, String)>,
    state: AppState,
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BackgroundEmulator {
    /// Starts an emulator on `127.0.0.1:0`.
    pub fn start(options: Options) -> anyhow::Result<BackgroundEmulator> {
        let (ready_tx, ready_rx) =
            std::sync::mpsc::channel::<anyhow::Result<(String, Vec<(String, String)>, AppState)>>();
        let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("entra-emulator".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.into()));
                        return;
                    }
                };
                rt.block_on(async move {
                    let addr = SocketAddr::from(([127, 0, 0, 1], 0));
                    match Emulator::start(addr, options).await {
                        Ok(emu) => {
                            let _ = ready_tx.send(Ok((emu.url(), emu.env(), emu.state.clone())));
                            let _ = tokio::task::spawn_blocking(move || stop_rx.recv()).await;
                            emu.shutdown().await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
            })?;
        let (url, env, state) = ready_rx
            .recv()
            .map_err(|_| anyhow::anyhow!("emulator thread exited during start-up"))??;
        Ok(BackgroundEmulator {
            url,
            env,
            state,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Same as [`Emulator::env`].
    pub fn env(&self) -> Vec<(String, String)> {
        self.env.clone()
    }

    /// The shared state (tenant, counters, faults).
    pub fn state(&self) -> &AppState {
        &self.state
    }
}

impl Drop for BackgroundEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
