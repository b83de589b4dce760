//! The Graph client against an in-process emulator, no Terraform: retries after
//! Retry-After, batching, paging, token refresh, and creates that fail ambiguously.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use entra_emulator::{Emulator, FaultConfig, Options};
use tokio_util::sync::CancellationToken;

use super::auth::{AccessToken, AuthError, ClientSecretCredential, Secret, TokenCredential};
use super::models::{AdministrativeUnit, DirectoryObject};
use super::{Call, GraphClient, GraphClientOptions};

/// An emulator and a client for its demo app.
struct Fixture {
    emulator: Emulator,
    graph: GraphClient,
}

fn env(emulator: &Emulator, key: &str) -> String {
    emulator
        .env()
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

fn secret_credential(emulator: &Emulator) -> Arc<ClientSecretCredential> {
    Arc::new(ClientSecretCredential::new(
        reqwest::Client::new(),
        &emulator.url(),
        &env(emulator, "ARM_TENANT_ID"),
        &env(emulator, "ARM_CLIENT_ID"),
        Secret::new(env(emulator, "ARM_CLIENT_SECRET")),
    ))
}

async fn fixture_with(credential: impl FnOnce(&Emulator) -> Arc<dyn TokenCredential>) -> Fixture {
    let emulator = Emulator::start(SocketAddr::from(([127, 0, 0, 1], 0)), Options::default())
        .await
        .expect("emulator");
    let options = GraphClientOptions {
        graph_endpoint: emulator.url(),
        user_agent: "graph-client-tests".into(),
        coalesce: true,
    };
    let graph = GraphClient::new(reqwest::Client::new(), &options, credential(&emulator));
    Fixture { emulator, graph }
}

async fn fixture() -> Fixture {
    fixture_with(|e| secret_credential(e)).await
}

impl Fixture {
    fn faults(&self, faults: FaultConfig) {
        self.emulator.state().faults().set(faults);
    }

    fn status_count(&self, status: &str) -> u64 {
        self.emulator.state().stats().snapshot()["statuses"][status]
            .as_u64()
            .unwrap_or(0)
    }

    /// Every change from now on takes 1.5-2 s to reach each replica.
    fn lag_every_change(&self) {
        self.faults(FaultConfig {
            replication_lag_ms: 2000,
            replication_lag_min_ms: Some(1500),
            ..FaultConfig::default()
        });
    }

    async fn rename(&self, unit: &str, name: &str) {
        let rename = super::models::AdministrativeUnitPatch {
            display_name: Some(name.into()),
            ..Default::default()
        };
        self.graph
            .update_administrative_unit(&call(), unit, &rename)
            .await
            .expect("rename");
    }

    async fn unit(&self, name: &str) -> String {
        let unit = AdministrativeUnit {
            display_name: name.into(),
            ..AdministrativeUnit::default()
        };
        self.graph
            .create_administrative_unit(&call(), &unit)
            .await
            .expect("create")
            .id
            .expect("id")
    }
}

fn call() -> Call {
    Call::new(Duration::from_secs(60), CancellationToken::new())
}

fn user(n: usize) -> String {
    format!("c0ffee00-0000-4000-8001-{n:012}")
}

#[tokio::test]
async fn throttled_requests_wait_for_retry_after_then_succeed() {
    let f = fixture().await;
    let au = f.unit("throttled").await;
    f.faults(FaultConfig {
        throttle_next: 2,
        retry_after: "0.3".into(),
        ..FaultConfig::default()
    });
    let started = Instant::now();
    let unit = f
        .graph
        .find_administrative_unit(&call(), &au)
        .await
        .unwrap();
    assert!(unit.is_some());
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(f.status_count("429"), 2);
}

#[tokio::test]
async fn a_throttled_batch_item_waits_for_its_own_retry_after() {
    let f = fixture().await;
    let au = f.unit("batch").await;
    // One $batch of five adds (the envelope is never faulted, its items are): the
    // first two items are throttled with Retry-After 0.5 s.
    f.faults(FaultConfig {
        throttle_next: 2,
        retry_after: "0.5".into(),
        ..FaultConfig::default()
    });
    let started = Instant::now();
    let adds = (1..=5).map(|n| {
        let (graph, au) = (&f.graph, au.clone());
        async move {
            graph
                .add_administrative_unit_member(&call(), &au, &user(n))
                .await
                .map_err(|e| e.error)
        }
    });
    let kinds = futures_util::future::join_all(adds).await;
    for kind in kinds {
        assert_eq!(kind.unwrap().as_deref(), Some("user"));
    }
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "the resent items waited for their Retry-After: {:?}",
        started.elapsed()
    );
    let members = f
        .graph
        .list_administrative_unit_members(&call(), &au)
        .await
        .unwrap();
    assert_eq!(members.len(), 5);
}

#[tokio::test]
async fn listings_follow_next_links_across_pages() {
    let f = fixture().await;
    let au = f.unit("paged").await;
    let adds = (1..=48).map(|n| {
        let (graph, au) = (&f.graph, au.clone());
        async move {
            graph
                .add_administrative_unit_member(&call(), &au, &user(n))
                .await
        }
    });
    for added in futures_util::future::join_all(adds).await {
        added.map_err(|e| e.error).unwrap();
    }
    let path = format!("/directory/administrativeUnits/{au}/members?$select=id&$top=10");
    let listed: Vec<DirectoryObject> = f.graph.list(&call(), &path, &[]).await.unwrap();
    assert_eq!(listed.len(), 48, "five pages of at most ten");
}

/// A credential whose first token Graph will refuse.
#[derive(Debug)]
struct StaleFirst {
    real: Arc<ClientSecretCredential>,
    issued: AtomicU32,
}

#[async_trait]
impl TokenCredential for StaleFirst {
    async fn get_token(&self, scope: &str) -> Result<AccessToken, AuthError> {
        if self.issued.fetch_add(1, Ordering::SeqCst) == 0 {
            return Ok(AccessToken::new(
                Secret::new("not-a-token"),
                Duration::from_secs(3600),
            ));
        }
        self.real.get_token(scope).await
    }
}

#[tokio::test]
async fn a_refused_token_is_refreshed_once() {
    let f = fixture_with(|e| {
        Arc::new(StaleFirst {
            real: secret_credential(e),
            issued: AtomicU32::new(0),
        })
    })
    .await;
    let units = f.graph.list_administrative_units(&call(), None).await;
    assert!(units.is_ok(), "{units:?}");
    assert_eq!(f.status_count("401"), 1);
}

#[tokio::test]
async fn an_ambiguous_create_recognises_its_own_unit_and_never_a_siblings() {
    let f = fixture().await;
    let sibling = f.unit("Site").await;
    // The next write is carried out, then answered 503.
    f.faults(FaultConfig {
        commit_error_next: 1,
        retry_after: "0".into(),
        ..FaultConfig::default()
    });
    let ours = f.unit("Site").await;
    assert_ne!(
        ours, sibling,
        "a sibling with the same name is never adopted"
    );
    f.faults(FaultConfig::default());
    let named = f
        .graph
        .find_administrative_units_by_name(&call(), "Site")
        .await
        .unwrap();
    let mut ids: Vec<String> = named.into_iter().filter_map(|u| u.id).collect();
    ids.sort();
    let mut expected = vec![ours, sibling];
    expected.sort();
    assert_eq!(ids, expected, "no stray unit is left behind");
    assert_eq!(f.status_count("503"), 1);
}

#[tokio::test]
async fn a_unit_renamed_moments_ago_is_found_by_its_new_name_only() {
    let f = fixture().await;
    let ours = f.unit("Lookup Gamma").await;
    f.lag_every_change();
    f.rename(&ours, "Lookup Delta").await;
    let read = f
        .graph
        .get_administrative_unit(&call(), &ours)
        .await
        .unwrap();
    assert_eq!(read.display_name, "Lookup Delta", "a read by id");
    let named = |name: &'static str| {
        let graph = &f.graph;
        async move {
            let units = graph
                .administrative_units_named(&call(), name)
                .await
                .unwrap();
            units
                .into_iter()
                .filter_map(|u| u.id)
                .collect::<Vec<String>>()
        }
    };
    assert_eq!(named("Lookup Delta").await, vec![ours.clone()]);
    assert!(named("Lookup Gamma").await.is_empty());
}

#[tokio::test]
async fn a_prefix_listing_shows_this_processs_own_recent_writes() {
    let f = fixture().await;
    let moved_away = f.unit("Prefix Moved").await;
    let deleted = f.unit("Prefix Deleted").await;
    f.lag_every_change();
    f.graph
        .delete_administrative_unit(&call(), &deleted)
        .await
        .unwrap();
    let created = f.unit("Prefix New").await;
    // Renamed last: every replica still lists the old name.
    f.rename(&moved_away, "Elsewhere").await;
    let listed = f
        .graph
        .list_administrative_units(&call(), Some("prefix"))
        .await
        .unwrap();
    let found: Vec<(String, String)> = listed
        .into_iter()
        .map(|u| (u.id.unwrap_or_default(), u.display_name))
        .collect();
    assert_eq!(found, vec![(created, "Prefix New".to_owned())]);
}

#[tokio::test]
async fn a_custom_role_made_moments_ago_is_read_with_its_real_name() {
    let f = fixture().await;
    // Replicas catch up between 0.2 and 3 s after each change, each at its own pace.
    f.faults(FaultConfig {
        replication_lag_ms: 3000,
        replication_lag_min_ms: Some(200),
        ..FaultConfig::default()
    });
    let body = super::models::CustomRoleBody {
        display_name: "Provisioner".into(),
        description: None,
        is_enabled: true,
        role_permissions: vec![super::models::RolePermission {
            allowed_resource_actions: vec!["microsoft.directory/groups/create".into()],
        }],
    };
    let made = f.graph.create_custom_role(&call(), &body).await.unwrap();
    let sent = f.graph.requests_sent();
    let read = f.graph.role_definition(&call(), &made.id).await.unwrap();
    assert_eq!(read.display_name, "Provisioner");
    assert_eq!(
        f.graph.requests_sent(),
        sent,
        "what the create confirmed is read back, never a replica that lags"
    );
}

#[tokio::test]
async fn a_membership_type_switched_moments_ago_is_known_without_a_read() {
    let f = fixture().await;
    let unit = f.unit("Switching").await;
    f.lag_every_change();
    let switch = super::models::AdministrativeUnitPatch {
        membership_type: Some("Dynamic".into()),
        membership_rule: Some(Some("user.department -eq \"Sales\"".into())),
        membership_rule_processing_state: Some("On".into()),
        ..Default::default()
    };
    f.graph
        .update_administrative_unit(&call(), &unit, &switch)
        .await
        .unwrap();
    let sent = f.graph.requests_sent();
    let kind = f
        .graph
        .administrative_unit_membership_type(&call(), &unit)
        .await
        .unwrap();
    assert_eq!(kind.as_deref(), Some("Dynamic"));
    assert_eq!(
        f.graph.requests_sent(),
        sent,
        "never a lagging replica's answer"
    );
}
