//! Drives the provider's gRPC service in-process over a Unix socket with a generated
//! tfplugin6 client, as Terraform would, without Terraform.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use entra_emulator::{Emulator, Options};
use hyper_util::rt::TokioIo;
use provider_framework::codec::{decode_msgpack, encode_msgpack};
use provider_framework::plugin::serve::router;
use provider_framework::proto::plugin::grpc_controller_client::GrpcControllerClient;
use provider_framework::proto::tfplugin6 as pb;
use provider_framework::proto::tfplugin6::provider_client::ProviderClient;
use provider_framework::server::ProviderServer;
use provider_framework::{Provider, Resource};
use provider_framework::{Type, Value};
use terraform_provider_entra::provider::EntraProvider;
use terraform_provider_entra::provider::config::Env;
use terraform_provider_entra::resources::administrative_unit::AdministrativeUnitResource;
use tokio::net::UnixStream;
use tokio::sync::Notify;
use tonic::transport::{Channel, Endpoint};

const AU: &str = "entra_administrative_unit";

/// The provider reads no process environment in these tests.
struct NoEnv;

impl Env for NoEnv {
    fn var(&self, _name: &str) -> Option<String> {
        None
    }
}

struct Harness {
    client: ProviderClient<Channel>,
    channel: Channel,
    shutdown: Arc<Notify>,
    server_task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

async fn start() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plugin.sock");
    let listener = tokio::net::UnixListener::bind(&path).unwrap();
    let server = Arc::new(ProviderServer::new(EntraProvider::with_env(Box::new(NoEnv))).unwrap());
    let shutdown = Arc::new(Notify::new());
    let stop = shutdown.clone();
    let router = router(server, shutdown.clone());
    let server_task = tokio::spawn(async move {
        router
            .serve_with_incoming_shutdown(
                tokio_stream::wrappers::UnixListenerStream::new(listener),
                async move {
                    stop.notified().await;
                },
            )
            .await
            .unwrap();
    });
    let channel = Endpoint::try_from("http://[::]:50051")
        .unwrap()
        .connect_with_connector(tower::service_fn(move |_| {
            let path = path.clone();
            async move { Ok::<_, std::io::Error>(TokioIo::new(UnixStream::connect(path).await?)) }
        }))
        .await
        .unwrap();
    Harness {
        client: ProviderClient::new(channel.clone()),
        channel,
        shutdown,
        server_task,
        _dir: dir,
    }
}

fn au_type() -> Type {
    AdministrativeUnitResource.schema().ty()
}

fn dv(value: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: encode_msgpack(value, ty).unwrap(),
        json: vec![],
    })
}

/// An AU configuration: every optional attribute left null, as Terraform sends it.
fn au(id: Value, name: &str) -> Value {
    let Type::Object(attrs) = au_type() else {
        unreachable!()
    };
    let mut v = Value::object(attrs.keys().map(|k| (k.clone(), Value::Null)));
    v.set("id", id);
    v.set("display_name", Value::string(name));
    v
}

async fn plan_create(h: &mut Harness, config: &Value) -> pb::plan_resource_change::Response {
    let ty = au_type();
    h.client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: AU.into(),
            prior_state: dv(&Value::Null, &ty),
            proposed_new_state: dv(config, &ty),
            config: dv(config, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test]
async fn schema_lists_the_resource_with_capabilities() {
    let mut h = start().await;
    let resp = h
        .client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(
        resp.provider.is_some(),
        "Terraform requires a provider schema"
    );
    let caps = resp.server_capabilities.unwrap();
    assert!(caps.plan_destroy && caps.get_provider_schema_optional);
    let block = resp.resource_schemas[AU].block.as_ref().unwrap();
    let id = block.attributes.iter().find(|a| a.name == "id").unwrap();
    assert!(id.computed && !id.optional && !id.required);
    assert!(block.attributes.iter().all(|a| !a.description.is_empty()));
    let meta = h
        .client
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(meta.resources[0].type_name, AU);
}

#[tokio::test]
async fn plan_create_marks_the_id_unknown_and_validation_points_at_attributes() {
    let mut h = start().await;
    let ty = au_type();
    let config = au(Value::Null, "Finance");
    let resp = plan_create(&mut h, &config).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let planned = decode_msgpack(&resp.planned_state.unwrap().msgpack, &ty).unwrap();
    assert!(planned.get("id").is_unknown());
    assert_eq!(planned.get("display_name").as_str(), Some("Finance"));
    assert_eq!(
        planned.get("membership_type").as_str(),
        Some("Assigned"),
        "defaults are planned"
    );
    assert!(planned.get("membership_rule_processing_state").is_null());

    let blank = au(Value::Null, "  ");
    let resp = h
        .client
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: AU.into(),
            config: dv(&blank, &ty),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    let d = &resp.diagnostics[0];
    assert_eq!(d.severity, pb::diagnostic::Severity::Error as i32);
    let step = d.attribute.as_ref().unwrap().steps[0]
        .selector
        .clone()
        .unwrap();
    assert_eq!(
        step,
        pb::attribute_path::step::Selector::AttributeName("display_name".into())
    );
}

#[tokio::test]
async fn destroy_plans_null_and_unknown_types_are_diagnostics() {
    let mut h = start().await;
    let ty = au_type();
    let prior = au(Value::string("5d107bba-d8e2-4e13-b6ae-884be90e5d1a"), "x");
    let resp = h
        .client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: AU.into(),
            prior_state: dv(&prior, &ty),
            proposed_new_state: dv(&Value::Null, &ty),
            config: dv(&Value::Null, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.planned_state.unwrap().msgpack, vec![0xc0]);
    let resp = h
        .client
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: "entra_nope".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        resp.diagnostics[0]
            .summary
            .contains("Unknown resource type")
    );
}

/// ConfigureProvider with the emulator's demo app.
async fn configure(h: &mut Harness, emulator: &Emulator) {
    let env: BTreeMap<String, String> = emulator.env().into_iter().collect();
    let provider_ty = EntraProvider::with_env(Box::new(NoEnv)).schema().ty();
    let Type::Object(provider_attrs) = &provider_ty else {
        unreachable!()
    };
    let mut provider_config =
        Value::object(provider_attrs.keys().map(|k| (k.clone(), Value::Null)));
    for (attr, key) in [
        ("tenant_id", "ARM_TENANT_ID"),
        ("client_id", "ARM_CLIENT_ID"),
        ("client_secret", "ARM_CLIENT_SECRET"),
        ("graph_endpoint", "ENTRA_GRAPH_ENDPOINT"),
        ("login_endpoint", "ENTRA_LOGIN_ENDPOINT"),
    ] {
        provider_config.set(attr, Value::string(&env[key]));
    }
    let resp = h
        .client
        .configure_provider(pb::configure_provider::Request {
            terraform_version: "1.11.4".into(),
            config: dv(&provider_config, &provider_ty),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
}

#[tokio::test]
async fn stop_provider_cancels_a_read_stuck_on_graph() {
    // Every Graph request takes 30 s: only cancellation can end the read sooner.
    let options = Options {
        faults: entra_emulator::FaultConfig {
            latency_ms: 30_000,
            ..Default::default()
        },
        ..Options::default()
    };
    let emulator = Emulator::start("127.0.0.1:0".parse().unwrap(), options)
        .await
        .unwrap();
    let mut h = start().await;
    configure(&mut h, &emulator).await;
    let ty = au_type();
    let state = au(
        Value::string("5d107bba-d8e2-4e13-b6ae-884be90e5d1a"),
        "Stuck",
    );
    let graph_requests = || emulator.state().stats().snapshot()["total"].as_u64();
    let before = graph_requests();
    let mut reader = h.client.clone();
    let read = tokio::spawn(async move {
        reader
            .read_resource(pb::read_resource::Request {
                type_name: AU.into(),
                current_state: dv(&state, &au_type()),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
    });
    // Stop once the read waits on Graph.
    let waiting = std::time::Instant::now();
    while graph_requests() == before {
        assert!(
            waiting.elapsed() < std::time::Duration::from_secs(10),
            "the read never reached Graph"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    h.client
        .stop_provider(pb::stop_provider::Request {})
        .await
        .unwrap();
    let resp = tokio::time::timeout(std::time::Duration::from_secs(10), read)
        .await
        .expect("the read ends once Terraform asks the provider to stop")
        .unwrap();
    assert_eq!(resp.diagnostics[0].summary, "Operation cancelled");
    let kept = decode_msgpack(&resp.new_state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(
        kept.get("display_name").as_str(),
        Some("Stuck"),
        "the state is kept, not lost"
    );
}

#[tokio::test]
async fn configure_apply_read_and_stop_against_the_emulator() {
    let emulator = Emulator::start("127.0.0.1:0".parse().unwrap(), Options::default())
        .await
        .unwrap();
    let mut h = start().await;
    configure(&mut h, &emulator).await;

    let ty = au_type();
    let config = au(Value::Null, "Protocol AU");
    let plan = plan_create(&mut h, &config).await;
    let mut planned = decode_msgpack(&plan.planned_state.unwrap().msgpack, &ty).unwrap();
    let resp = h
        .client
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: AU.into(),
            prior_state: dv(&Value::Null, &ty),
            planned_state: dv(&planned, &ty),
            config: dv(&config, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let state = decode_msgpack(&resp.new_state.unwrap().msgpack, &ty).unwrap();
    let id = state.get("id").as_str().unwrap().to_owned();
    planned.set("id", Value::string(&id));
    assert_eq!(
        state, planned,
        "apply returns exactly the plan with unknowns filled in"
    );

    // StopProvider cancels in-flight work but the server keeps serving.
    h.client
        .stop_provider(pb::stop_provider::Request {})
        .await
        .unwrap();
    let resp = h
        .client
        .read_resource(pb::read_resource::Request {
            type_name: AU.into(),
            current_state: dv(&state, &ty),
            private: b"opaque".to_vec(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(resp.private, b"opaque", "private data is echoed");
    assert_eq!(
        decode_msgpack(&resp.new_state.unwrap().msgpack, &ty).unwrap(),
        state
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn controller_shutdown_stops_the_server() {
    let h = start().await;
    let mut controller = GrpcControllerClient::new(h.channel.clone());
    controller
        .shutdown(provider_framework::proto::plugin::Empty {})
        .await
        .unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(5), h.server_task)
        .await
        .expect("server stops after Shutdown")
        .unwrap();
    drop(h.shutdown);
}
