//! The JSON seed format (documented in emulator/README.md) and its loader.

use std::path::Path;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::model::{
    AppRegistration, CustomRole, DirObject, FederatedCredential, ManagedIdentity, ObjectKind,
    now_iso,
};
use super::roles::{activate_role, assignment_id};
use super::roles_catalog;
use super::schema;
use super::tenant::Tenant;

/// A seed file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Seed {
    /// Tenant identity.
    pub tenant: SeedTenant,
    /// App registrations (clients of the token endpoint).
    #[serde(default)]
    pub apps: Vec<SeedApp>,
    /// Managed identities (IMDS / App Service endpoints).
    #[serde(default)]
    pub managed_identities: Vec<ManagedIdentity>,
    /// Users (Graph JSON; `id` optional).
    #[serde(default)]
    pub users: Vec<Map<String, Value>>,
    /// Groups (Graph JSON plus `members`: ids of direct members; `id` optional).
    #[serde(default)]
    pub groups: Vec<Map<String, Value>>,
    /// Devices (Graph JSON; `id` optional).
    #[serde(default)]
    pub devices: Vec<Map<String, Value>>,
    /// Administrative units (Graph JSON plus `members`: ids).
    #[serde(default)]
    pub administrative_units: Vec<Map<String, Value>>,
    /// Custom role definitions.
    #[serde(default)]
    pub custom_roles: Vec<CustomRole>,
    /// Template ids of directory roles to activate.
    #[serde(default)]
    pub activated_roles: Vec<String>,
    /// Role assignments.
    #[serde(default)]
    pub role_assignments: Vec<SeedAssignment>,
}

/// Tenant identity in a seed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedTenant {
    /// Tenant id (GUID).
    pub id: String,
    /// Organization name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Verified domains; the first is the default.
    pub domains: Vec<String>,
}

/// An app registration in a seed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedApp {
    /// Client id.
    pub app_id: String,
    /// Display name.
    pub display_name: String,
    /// Application object id (generated when absent).
    #[serde(default)]
    pub object_id: Option<String>,
    /// Service principal object id (generated when absent).
    #[serde(default)]
    pub service_principal_id: Option<String>,
    /// Client secrets.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Certificates: PEM text, or a path to a PEM file relative to the seed.
    #[serde(default)]
    pub certificates: Vec<String>,
    /// Federated credentials; `jwks` may be a path relative to the seed or inline JWKS.
    #[serde(default)]
    pub federated_credentials: Vec<FederatedCredential>,
    /// Graph application permissions, e.g. `AdministrativeUnit.ReadWrite.All`.
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// A role assignment in a seed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedAssignment {
    /// Built-in template id or custom role id.
    pub role_definition_id: String,
    /// User, group or service principal id.
    pub principal_id: String,
    /// `/` or `/administrativeUnits/{id}`.
    #[serde(default = "root_scope")]
    pub directory_scope_id: String,
}

fn root_scope() -> String {
    "/".into()
}

impl Seed {
    /// Reads a seed file; relative certificate and JWKS paths resolve against its folder.
    pub fn from_file(path: &Path) -> anyhow::Result<Seed> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading seed file {}", path.display()))?;
        let mut seed: Seed = serde_json::from_str(&text)
            .with_context(|| format!("parsing seed file {}", path.display()))?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        seed.resolve_files(base)?;
        Ok(seed)
    }

    fn resolve_files(&mut self, base: &Path) -> anyhow::Result<()> {
        for app in &mut self.apps {
            for cert in &mut app.certificates {
                if !cert.trim_start().starts_with("-----BEGIN") {
                    let p = base.join(cert.as_str());
                    *cert = std::fs::read_to_string(&p)
                        .with_context(|| format!("reading certificate {}", p.display()))?;
                }
            }
            for fic in &mut app.federated_credentials {
                if let Some(Value::String(file)) = &fic.jwks {
                    let p = base.join(file);
                    let text = std::fs::read_to_string(&p)
                        .with_context(|| format!("reading JWKS {}", p.display()))?;
                    fic.jwks = Some(
                        serde_json::from_str(&text)
                            .with_context(|| format!("parsing JWKS {}", p.display()))?,
                    );
                }
            }
        }
        Ok(())
    }

    /// Builds the tenant described by this seed, every object aged (visible everywhere at
    /// once) and no change pending. Dynamic memberships are not evaluated here: the store
    /// knows no rules, and the application state evaluates them once it has the tenant.
    pub fn into_tenant(self) -> anyhow::Result<Tenant> {
        let Some(domain) = self.tenant.domains.first() else {
            bail!("seed: tenant.domains must list at least one domain");
        };
        let mut t = Tenant::empty(
            &self.tenant.id,
            self.tenant
                .display_name
                .as_deref()
                .unwrap_or("Emulated tenant"),
            domain,
        );
        t.domains.clone_from(&self.tenant.domains);
        for app in self.apps {
            load_app(&mut t, app);
        }
        for mi in self.managed_identities {
            let mut props = Map::new();
            props.insert("appId".into(), Value::String(mi.client_id.clone()));
            props.insert("displayName".into(), Value::String(mi.display_name.clone()));
            props.insert("servicePrincipalType".into(), "ManagedIdentity".into());
            props.insert("accountEnabled".into(), true.into());
            t.insert(DirObject::new(
                mi.object_id.clone(),
                ObjectKind::ServicePrincipal,
                props,
            ));
            t.managed_identities.push(mi);
        }
        let mut group_links = Vec::new();
        for (kind, list) in [
            (ObjectKind::User, self.users),
            (ObjectKind::Group, self.groups),
            (ObjectKind::Device, self.devices),
        ] {
            for mut raw in list {
                let members = raw.remove("members").filter(|_| kind == ObjectKind::Group);
                let obj = seed_object(kind, raw, &t.domains[0])?;
                for member in member_ids(members, kind, &obj.id)? {
                    group_links.push((obj.id.clone(), member));
                }
                t.insert(obj);
            }
        }
        let mut memberships = Vec::new();
        for mut raw in self.administrative_units {
            let members = raw.remove("members");
            let obj = seed_object(ObjectKind::AdministrativeUnit, raw, &t.domains[0])?;
            let au_id = obj.id.clone();
            t.insert(obj);
            for id in member_ids(members, ObjectKind::AdministrativeUnit, &au_id)? {
                memberships.push((au_id.clone(), id));
            }
        }
        for (group, member) in group_links {
            t.add_group_member(&group, &member).map_err(|e| {
                anyhow::anyhow!("seed: adding {member} to group {group}: {}", e.message)
            })?;
        }
        for (au, member) in memberships {
            t.add_member(&au, &member)
                .map_err(|e| anyhow::anyhow!("seed: adding {member} to AU {au}: {}", e.message))?;
        }
        for role in self.custom_roles {
            t.custom_roles.insert(role.id.clone(), role);
        }
        activate_role(&mut t, roles_catalog::GLOBAL_ADMIN)
            .map_err(|e| anyhow::anyhow!("seed: {}", e.message))?;
        for template in &self.activated_roles {
            activate_role(&mut t, template)
                .map_err(|e| anyhow::anyhow!("seed: activating role {template}: {}", e.message))?;
        }
        for a in self.role_assignments {
            if roles_catalog::builtin(&a.role_definition_id).is_some() {
                activate_role(&mut t, &a.role_definition_id)
                    .map_err(|e| anyhow::anyhow!("seed: {}", e.message))?;
            } else if !t.custom_roles.contains_key(&a.role_definition_id) {
                bail!("seed: unknown role definition {}", a.role_definition_id);
            }
            if !t.objects.contains_key(&a.principal_id) {
                bail!("seed: unknown principal {}", a.principal_id);
            }
            let id = assignment_id(
                &a.role_definition_id,
                &a.principal_id,
                &a.directory_scope_id,
            );
            t.role_assignments.insert(
                id.clone(),
                super::model::RoleAssignment {
                    id,
                    role_definition_id: a.role_definition_id,
                    principal_id: a.principal_id,
                    directory_scope_id: a.directory_scope_id,
                },
            );
        }
        age_seeded_objects(&mut t);
        t.forget_changes();
        Ok(t)
    }
}

/// The `members` of a seeded group or AU: lower-cased id strings.
fn member_ids(members: Option<Value>, kind: ObjectKind, id: &str) -> anyhow::Result<Vec<String>> {
    match members {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(ids)) => ids
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.to_ascii_lowercase()),
                _ => bail!(
                    "seed: {} {id}: members must hold id strings",
                    kind.type_name()
                ),
            })
            .collect(),
        Some(_) => bail!(
            "seed: {} {id}: members must be a list of ids",
            kind.type_name()
        ),
    }
}

/// Seeded objects existed long before start: visible everywhere at once, with an
/// unknown (0) creation and change time.
fn age_seeded_objects(t: &mut Tenant) {
    for obj in t.objects.values_mut() {
        obj.created_ms = 0;
        obj.modified_ms = 0;
    }
}

fn load_app(t: &mut Tenant, app: SeedApp) {
    let object_id = app
        .object_id
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let sp_id = app
        .service_principal_id
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let mut sp = Map::new();
    sp.insert("appId".into(), Value::String(app.app_id.clone()));
    sp.insert(
        "displayName".into(),
        Value::String(app.display_name.clone()),
    );
    sp.insert(
        "appDisplayName".into(),
        Value::String(app.display_name.clone()),
    );
    sp.insert("servicePrincipalType".into(), "Application".into());
    sp.insert("accountEnabled".into(), true.into());
    sp.insert(
        "appOwnerOrganizationId".into(),
        Value::String(t.tenant_id.clone()),
    );
    sp.insert(
        "servicePrincipalNames".into(),
        serde_json::json!([app.app_id]),
    );
    t.insert(DirObject::new(
        sp_id.clone(),
        ObjectKind::ServicePrincipal,
        sp,
    ));
    let mut ap = Map::new();
    ap.insert("appId".into(), Value::String(app.app_id.clone()));
    ap.insert(
        "displayName".into(),
        Value::String(app.display_name.clone()),
    );
    ap.insert("signInAudience".into(), "AzureADMyOrg".into());
    ap.insert("createdDateTime".into(), Value::String(now_iso()));
    t.insert(DirObject::new(
        object_id.clone(),
        ObjectKind::Application,
        ap,
    ));
    t.apps.push(AppRegistration {
        app_id: app.app_id,
        display_name: app.display_name,
        object_id,
        service_principal_id: sp_id,
        secrets: app.secrets,
        certificates: app.certificates,
        federated_credentials: app.federated_credentials,
        permissions: app.permissions,
    });
}

/// Turns seed JSON into an object: declared properties only (read-only ones allowed).
pub fn seed_object(
    kind: ObjectKind,
    mut raw: Map<String, Value>,
    domain: &str,
) -> anyhow::Result<DirObject> {
    let id = match raw.remove("id") {
        Some(Value::String(s)) => s.to_ascii_lowercase(),
        None => uuid::Uuid::new_v4().to_string(),
        Some(other) => bail!(
            "seed: {} id must be a string, got {other}",
            kind.type_name()
        ),
    };
    if uuid::Uuid::parse_str(&id).is_err() {
        bail!("seed: {} id '{id}' is not a GUID", kind.type_name());
    }
    raw.remove("@odata.type");
    for key in raw.keys() {
        if schema::find(kind, key).is_none() {
            bail!("seed: {} {id}: unknown property '{key}'", kind.type_name());
        }
    }
    super::defaults::fill(kind, &mut raw, domain);
    Ok(DirObject::new(id, kind, raw))
}
