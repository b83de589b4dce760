//! The HTTP application and a running emulator server: [`app`], [`Emulator`] and
//! [`BoundEmulator`].

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::options::Options;
use crate::origin::{self, Scheme};
use crate::state::AppState;
use crate::store::demo::DEMO_CLIENT_ID;
use crate::tls::listener::TlsListener;
use crate::tls::{CaCertificate, TlsServer};
use crate::{context, routes};

/// The whole HTTP application: Graph (`/v1.0`, `/beta`), the token endpoint and
/// `/_emulator/*`.
pub fn app(state: AppState) -> Router {
    let scheme = state.scheme();
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
        .layer(axum::middleware::from_fn_with_state(scheme, origin::record))
}

/// The `KEY=VALUE` environment for clients of an emulator at `url`.
fn env_for(url: &str, state: &AppState, ca: Option<&CaCertificate>) -> Vec<(String, String)> {
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
    let mut env = vec![
        ("ENTRA_EMULATOR_URL".into(), url.to_owned()),
        ("ARM_TENANT_ID".into(), tenant),
        ("ARM_CLIENT_ID".into(), client_id),
        ("ARM_CLIENT_SECRET".into(), secret),
        ("ENTRA_GRAPH_ENDPOINT".into(), url.to_owned()),
        ("ENTRA_LOGIN_ENDPOINT".into(), url.to_owned()),
    ];
    if let Some(ca) = ca {
        env.push((
            "SSL_CERT_FILE".into(),
            ca.path().to_string_lossy().into_owned(),
        ));
    }
    env
}

/// `{scheme}://HOST:PORT` for a listener bound to `addr` (loopback for a wildcard).
fn url_for(addr: SocketAddr, scheme: Scheme) -> String {
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
    format!("{}://{host}:{}", scheme.as_str(), addr.port())
}

/// Serves `router` on `listener` until `stopped` fires.
fn spawn_server<L>(listener: L, router: Router, stopped: oneshot::Receiver<()>) -> JoinHandle<()>
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
{
    tokio::spawn(async move {
        let serve = axum::serve(listener, router).with_graceful_shutdown(async move {
            let _ = stopped.await;
        });
        if let Err(e) = serve.await {
            tracing::error!("emulator server error: {e}");
        }
    })
}

/// A running emulator server.
#[derive(Debug)]
pub struct Emulator {
    url: String,
    state: AppState,
    ca: Option<Arc<CaCertificate>>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

/// An emulator bound to its address but not serving yet: lets a binary install its
/// signal handlers and print its address before the first request is served.
#[derive(Debug)]
pub struct BoundEmulator {
    listener: tokio::net::TcpListener,
    addr: SocketAddr,
    url: String,
    state: AppState,
    tls: Option<TlsServer>,
}

impl BoundEmulator {
    /// `http://127.0.0.1:PORT` (`https://` with `Options::tls`).
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Same as [`Emulator::env`].
    pub fn env(&self) -> Vec<(String, String)> {
        env_for(&self.url, &self.state, self.ca())
    }

    /// The shared state (tenant, counters, faults).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Same as [`Emulator::ca`].
    pub fn ca(&self) -> Option<&CaCertificate> {
        self.tls.as_ref().map(|t| &*t.ca)
    }

    /// Starts serving.
    pub fn serve(self) -> Emulator {
        let (stop, stopped) = oneshot::channel::<()>();
        let router = app(self.state.clone());
        let ca = self.tls.as_ref().map(|t| t.ca.clone());
        let task = match self.tls {
            Some(tls) => spawn_server(
                TlsListener::new(self.listener, self.addr, tls.config),
                router,
                stopped,
            ),
            None => spawn_server(self.listener, router, stopped),
        };
        Emulator {
            url: self.url,
            state: self.state,
            ca,
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
    /// With `options.tls`, also generates the CA and writes its certificate.
    pub async fn bind(listen: SocketAddr, options: Options) -> anyhow::Result<BoundEmulator> {
        let state = AppState::new(&options)?;
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let scheme = state.scheme();
        let url = url_for(addr, scheme);
        state.add_own_url(url.clone());
        if addr.ip().is_unspecified() {
            state.add_own_url(format!("{}://localhost:{}", scheme.as_str(), addr.port()));
        }
        let tls = if options.tls {
            Some(TlsServer::generate(
                addr,
                &options.tls_names,
                options.tls_ca_file.as_deref(),
            )?)
        } else {
            None
        };
        Ok(BoundEmulator {
            listener,
            addr,
            url,
            state,
            tls,
        })
    }

    /// `http://127.0.0.1:PORT` (`https://` with `Options::tls`).
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// `ENTRA_EMULATOR_URL` first, then `ARM_TENANT_ID`, `ARM_CLIENT_ID`,
    /// `ARM_CLIENT_SECRET`, `ENTRA_GRAPH_ENDPOINT`, `ENTRA_LOGIN_ENDPOINT`, and with
    /// `Options::tls` `SSL_CERT_FILE` (the CA certificate).
    pub fn env(&self) -> Vec<(String, String)> {
        env_for(&self.url, &self.state, self.ca())
    }

    /// The shared state (tenant, counters, faults).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The CA clients must trust with `Options::tls` (PEM and file); `None` over
    /// plain HTTP.
    pub fn ca(&self) -> Option<&CaCertificate> {
        self.ca.as_deref()
    }

    /// A shared handle on [`Emulator::ca`] (keeps the CA file while held).
    pub fn ca_handle(&self) -> Option<Arc<CaCertificate>> {
        self.ca.clone()
    }

    /// Stops accepting, finishes in-flight requests and saves state.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
        self.state.flush();
    }
}
