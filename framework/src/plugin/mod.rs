//! The protocol edge: go-plugin handshake, AutoMTLS, and the gRPC services that
//! turn tfplugin6 calls into framework calls.

pub mod convert;
pub mod go_plugin;
pub mod parent;
pub mod serve;
pub mod service;
pub mod tls;
