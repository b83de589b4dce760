//! [`BackgroundEmulator`]: an emulator on its own thread and tokio runtime, for
//! synchronous test harnesses.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::options::Options;
use crate::server::Emulator;
use crate::state::AppState;
use crate::tls::CaCertificate;

/// What the emulator thread reports once it serves.
struct Started {
    url: String,
    env: Vec<(String, String)>,
    state: AppState,
    ca: Option<Arc<CaCertificate>>,
}

/// Runs an emulator on its own thread and tokio runtime, for synchronous test harnesses.
/// Drop stops it.
#[derive(Debug)]
pub struct BackgroundEmulator {
    url: String,
    env: Vec<(String, String)>,
    state: AppState,
    ca: Option<Arc<CaCertificate>>,
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BackgroundEmulator {
    /// Starts an emulator on `127.0.0.1:0`.
    pub fn start(options: Options) -> anyhow::Result<BackgroundEmulator> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<anyhow::Result<Started>>();
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
                            let _ = ready_tx.send(Ok(Started {
                                url: emu.url(),
                                env: emu.env(),
                                state: emu.state().clone(),
                                ca: emu.ca_handle(),
                            }));
                            let _ = tokio::task::spawn_blocking(move || stop_rx.recv()).await;
                            emu.shutdown().await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
            })?;
        let started = ready_rx
            .recv()
            .map_err(|_| anyhow::anyhow!("emulator thread exited during start-up"))??;
        Ok(BackgroundEmulator {
            url: started.url,
            env: started.env,
            state: started.state,
            ca: started.ca,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT` (`https://` with `Options::tls`).
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

    /// The CA to trust with `Options::tls` (PEM and file); `None` over plain HTTP.
    pub fn ca(&self) -> Option<&CaCertificate> {
        self.ca.as_deref()
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
