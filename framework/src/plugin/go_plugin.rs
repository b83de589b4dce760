//! go-plugin's side services: GRPCController (shutdown) and GRPCStdio.

use std::sync::Arc;

use tokio::sync::Notify;
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status};

use crate::proto::plugin::grpc_controller_server::GrpcController;
use crate::proto::plugin::grpc_stdio_server::GrpcStdio;
use crate::proto::plugin::{Empty, StdioData};

/// Stops the server when Terraform's plugin client calls Shutdown (Client.Kill).
#[derive(Debug, Clone)]
pub struct Controller {
    /// Notified once on Shutdown.
    pub shutdown: Arc<Notify>,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("GRPCController.Shutdown: stopping");
        self.shutdown.notify_one();
        Ok(Response::new(Empty {}))
    }
}

/// We never write to stdout or stderr through go-plugin's stdio channel (logs go to
/// stderr directly), so the stream stays open and silent.
#[derive(Debug, Clone, Copy)]
pub struct Stdio;

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<BoxStream<StdioData>>, Status> {
        Ok(Response::new(Box::pin(futures_util::stream::pending())))
    }
}
