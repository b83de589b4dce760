//! The built-in demo tenant (used when no `--seed` is given). All ids are fixed.

use serde_json::{Map, Value, json};

use super::model::{CustomRole, ManagedIdentity};
use super::seed::{Seed, SeedApp, SeedAssignment, SeedTenant};

/// Demo tenant id.
pub const DEMO_TENANT_ID: &str = "c0ffee00-0000-4000-8000-000000000000";
/// Demo tenant's default domain.
pub const DEMO_DOMAIN: &str = "contoso-demo.onmicrosoft.com";
/// Client id of the "full" demo app.
pub const DEMO_CLIENT_ID: &str = "c0ffee00-0000-4000-8000-00000000a001";
/// Client secret of the "full" demo app.
pub const DEMO_CLIENT_SECRET: &str = "demo~Secret.NotForProduction-0001";
/// Service principal object id of the full demo app.
pub const DEMO_SP_ID: &str = "c0ffee00-0000-4000-8000-00000000b001";
/// Client id of the least-privilege app (AdministrativeUnit.ReadWrite.All + RoleManagement.ReadWrite.Directory).
pub const LEAST_CLIENT_ID: &str = "c0ffee00-0000-4000-8000-00000000a002";
/// Secret of the least-privilege app.
pub const LEAST_CLIENT_SECRET: &str = "least~Secret.NotForProduction-0002";
/// Client id of the read-only app (AdministrativeUnit.Read.All + RoleManagement.Read.Directory).
pub const READER_CLIENT_ID: &str = "c0ffee00-0000-4000-8000-00000000a003";
/// Secret of the read-only app.
pub const READER_CLIENT_SECRET: &str = "reader~Secret.NotForProduction-0003";
/// Client id of an app with no Graph permissions.
pub const NOPERM_CLIENT_ID: &str = "c0ffee00-0000-4000-8000-00000000a004";
/// Secret of the app with no permissions.
pub const NOPERM_CLIENT_SECRET: &str = "noperm~Secret.NotForProduction-0004";
/// Service principal object id of the app with no permissions (assign it directory
/// roles to test role-based access).
pub const NOPERM_SP_ID: &str = "c0ffee00-0000-4000-8000-00000000b004";
/// Client id of the demo system-assigned managed identity.
pub const DEMO_MI_CLIENT_ID: &str = "c0ffee00-0000-4000-8000-00000000d001";

/// Template id of Groups Administrator.
pub const GROUPS_ADMINISTRATOR: &str = "fdd7a751-b60b-444a-984c-02652fe8fa1c";

/// Permissions of the full demo app.
pub const FULL_PERMISSIONS: &[&str] = &[
    "AdministrativeUnit.ReadWrite.All",
    "RoleManagement.ReadWrite.Directory",
    "Directory.Read.All",
    "User.Read.All",
    "Group.ReadWrite.All",
    "Member.Read.Hidden",
    "User.ReadWrite.All",
    "Device.ReadWrite.All",
];

/// Id of the n-th demo user (1-based).
pub fn user_id(n: usize) -> String {
    format!("c0ffee00-0000-4000-8001-{n:012}")
}

/// Id of the n-th demo group (1-based).
pub fn group_id(n: usize) -> String {
    format!("c0ffee00-0000-4000-8002-{n:012}")
}

/// Id of the n-th demo device (1-based).
pub fn device_id(n: usize) -> String {
    format!("c0ffee00-0000-4000-8003-{n:012}")
}

/// Id of the n-th demo administrative unit (1-based).
pub fn au_id(n: usize) -> String {
    format!("c0ffee00-0000-4000-8004-{n:012}")
}

const FIRST: &[&str] = &[
    "Adele",
    "Alex",
    "Allan",
    "Ben",
    "Christie",
    "Debra",
    "Diego",
    "Emily",
    "Enrico",
    "Grady",
    "Henrietta",
    "Irvin",
    "Isaiah",
    "Johanna",
    "Joni",
    "Lee",
    "Lidia",
    "Lynne",
    "Megan",
    "Miriam",
    "Nestor",
    "Patti",
    "Pradeep",
    "Raul",
    "Sakura",
    "Sven",
    "Tomas",
    "Yuki",
    "Zoe",
    "Priya",
    "Olga",
    "Hugo",
    "Ingrid",
    "Kenji",
    "Lucia",
    "Mateo",
    "Nadia",
    "Omar",
    "Paula",
    "Quentin",
    "Rosa",
    "Samir",
    "Tara",
    "Ulrich",
    "Vera",
    "Wei",
    "Xavier",
    "Yasmin",
];

const LAST: &[&str] = &[
    "Vance",
    "Wilber",
    "Deyoung",
    "Walters",
    "Cline",
    "Berger",
    "Siciliani",
    "Braun",
    "Rossi",
    "Archie",
    "Cameron",
    "Sayers",
    "Langer",
    "Lauer",
    "Sherman",
    "Gu",
    "Holloway",
    "Robbins",
    "Bowen",
    "Graham",
    "Wilke",
    "Fernandez",
    "Gupta",
    "Razi",
    "Tanaka",
    "Larsen",
    "Novak",
    "Sato",
    "Clarke",
    "Iyer",
    "Petrova",
    "Moreau",
    "Nilsson",
    "Watanabe",
    "Garcia",
    "Silva",
    "Haddad",
    "Farouk",
    "Mendes",
    "Dubois",
    "Ortega",
    "Khan",
    "Singh",
    "Schmidt",
    "Kovac",
    "Chen",
    "Lopez",
    "Aziz",
];

const DEPARTMENTS: &[(&str, &[&str])] = &[
    (
        "Sales",
        &["Account Executive", "Sales Manager", "Sales Representative"],
    ),
    (
        "Marketing",
        &[
            "Marketing Manager",
            "Content Writer",
            "Product Marketing Manager",
        ],
    ),
    (
        "Engineering",
        &[
            "Software Engineer",
            "Senior Software Engineer",
            "Engineering Manager",
        ],
    ),
    (
        "Finance",
        &["Accountant", "Financial Analyst", "Controller"],
    ),
    (
        "Human Resources",
        &["HR Generalist", "Recruiter", "HR Manager"],
    ),
    ("Legal", &["Paralegal", "Counsel"]),
    ("Support", &["Support Engineer", "Support Lead"]),
    ("Operations", &["Operations Analyst", "Facilities Manager"]),
];

const PLACES: &[(&str, &str, &str, &str)] = &[
    ("United States", "US", "Seattle", "WA"),
    ("United States", "US", "New York", "NY"),
    ("Germany", "DE", "Berlin", "BE"),
    ("France", "FR", "Paris", "IDF"),
    ("United Kingdom", "GB", "London", "LND"),
    ("Japan", "JP", "Tokyo", "13"),
    ("India", "IN", "Bengaluru", "KA"),
    ("Canada", "CA", "Toronto", "ON"),
    ("Brazil", "BR", "São Paulo", "SP"),
];

/// The demo tenant's custom role that can be scoped to an AU (group management).
pub const INTEGRATION_GROUP_MANAGER: &str = "c0ffee00-0000-4000-8004-000000000001";

/// Number of demo users.
pub const DEMO_USER_COUNT: usize = 48;

fn users() -> Vec<Map<String, Value>> {
    (0..DEMO_USER_COUNT)
        .map(|i| {
            let first = FIRST[i % FIRST.len()];
            let last = LAST[i % LAST.len()];
            let (dept, titles) = DEPARTMENTS[i % DEPARTMENTS.len()];
            let title = titles[(i / DEPARTMENTS.len()) % titles.len()];
            let (country, code, city, state) = PLACES[(i * 5) % PLACES.len()];
            let nick = format!("{}{}", first.to_lowercase(), last.to_lowercase());
            let upn = format!("{nick}@{DEMO_DOMAIN}");
            let v = json!({
                "id": user_id(i + 1),
                "accountEnabled": i % 13 != 12,
                "displayName": format!("{first} {last}"),
                "givenName": first,
                "surname": last,
                "mailNickname": nick,
                "userPrincipalName": upn,
                "mail": upn,
                "jobTitle": title,
                "department": dept,
                "companyName": "Contoso Demo",
                "country": country,
                "usageLocation": code,
                "city": city,
                "state": state,
                "officeLocation": format!("{city} {}", 10 + i % 7),
                "businessPhones": [format!("+1 555 01{i:02}")],
                "mobilePhone": null,
                "preferredLanguage": "en-US",
                "employeeId": format!("E{:05}", 1000 + i),
                "userType": if i == DEMO_USER_COUNT - 1 { "Guest" } else { "Member" },
                "onPremisesExtensionAttributes": {
                    "extensionAttribute1": if i % 2 == 0 { "FTE" } else { "Contractor" }
                },
            });
            v.as_object().cloned().unwrap_or_default()
        })
        .collect()
}

fn group(
    n: usize,
    name: &str,
    nick: &str,
    security: bool,
    mail: bool,
    unified: bool,
    role_assignable: bool,
) -> Map<String, Value> {
    let v = json!({
        "id": group_id(n),
        "displayName": name,
        "description": format!("{name} (demo group)"),
        "mailNickname": nick,
        "securityEnabled": security,
        "mailEnabled": mail,
        "groupTypes": if unified { json!(["Unified"]) } else { json!([]) },
        "isAssignableToRole": role_assignable,
        "visibility": if unified { json!("Private") } else { Value::Null },
    });
    v.as_object().cloned().unwrap_or_default()
}

fn groups() -> Vec<Map<String, Value>> {
    vec![
        group(1, "All Staff", "allstaff", true, false, false, false),
        group(2, "Sales Team", "salesteam", true, false, false, false),
        group(3, "Engineering", "engineering", false, true, true, false),
        group(
            4,
            "Helpdesk Operators",
            "helpdeskops",
            true,
            false,
            false,
            true,
        ),
        group(
            5,
            "Finance Readers",
            "financereaders",
            true,
            false,
            false,
            false,
        ),
        group(
            6,
            "Marketing Newsletter",
            "marketingnews",
            false,
            true,
            false,
            false,
        ),
    ]
}

fn devices() -> Vec<Map<String, Value>> {
    let specs = [
        (
            "SEA-LAPTOP-01",
            "Windows",
            "10.0.22631.3447",
            "Microsoft Corporation",
            "Surface Laptop 5",
            "AzureAd",
            "Company",
        ),
        (
            "SEA-LAPTOP-02",
            "Windows",
            "10.0.19045.4291",
            "Dell Inc.",
            "Latitude 7440",
            "ServerAd",
            "Company",
        ),
        (
            "BER-DESK-01",
            "Windows",
            "10.0.22631.3447",
            "Lenovo",
            "ThinkCentre M90q",
            "AzureAd",
            "Company",
        ),
        (
            "PAR-MAC-01",
            "MacMDM",
            "14.4.1",
            "Apple",
            "MacBook Pro",
            "Workplace",
            "Company",
        ),
        (
            "TOK-IPHONE-01",
            "iPhone",
            "17.4.1",
            "Apple",
            "iPhone 15",
            "Workplace",
            "Personal",
        ),
        (
            "LON-IPAD-01",
            "iPad",
            "17.4.1",
            "Apple",
            "iPad Air",
            "Workplace",
            "Company",
        ),
        (
            "BLR-ANDROID-01",
            "Android",
            "14",
            "Samsung",
            "Galaxy S24",
            "Workplace",
            "Personal",
        ),
        (
            "NYC-KIOSK-01",
            "Windows",
            "10.0.22621.3447",
            "HP",
            "EliteOne 800",
            "AzureAd",
            "Company",
        ),
    ];
    specs
        .iter()
        .enumerate()
        .map(|(i, (name, os, ver, make, model, trust, owner))| {
            let v = json!({
                "id": device_id(i + 1),
                "accountEnabled": true,
                "deviceId": format!("c0ffee00-0000-4000-9003-{:012}", i + 1),
                "displayName": name,
                "operatingSystem": os,
                "operatingSystemVersion": ver,
                "manufacturer": make,
                "model": model,
                "trustType": trust,
                "deviceOwnership": owner,
                "isCompliant": i % 3 != 2,
                "isManaged": true,
                "physicalIds": [format!("[ZTDId]{:08}", 4400 + i)],
                "alternativeSecurityIds": [{"type": 2, "identityProvider": null, "key": "ZGVtbw=="}],
            });
            v.as_object().cloned().unwrap_or_default()
        })
        .collect()
}

fn aus() -> Vec<Map<String, Value>> {
    let seattle = json!({
        "id": au_id(1),
        "displayName": "Seattle Office",
        "description": "People and devices in the Seattle office",
        "members": [user_id(1), user_id(10), user_id(19), device_id(1), device_id(2), group_id(2)],
    });
    let exec = json!({
        "id": au_id(2),
        "displayName": "Executive Division",
        "description": "Hidden-membership AU for the executive team",
        "visibility": "HiddenMembership",
        "members": [user_id(2), user_id(3)],
    });
    [seattle, exec]
        .into_iter()
        .filter_map(|v| v.as_object().cloned())
        .collect()
}

fn app(app_id: &str, n: usize, name: &str, secret: &str, permissions: &[&str]) -> SeedApp {
    SeedApp {
        app_id: app_id.to_owned(),
        display_name: name.to_owned(),
        object_id: Some(format!("c0ffee00-0000-4000-8000-00000000c{n:03}")),
        service_principal_id: Some(format!("c0ffee00-0000-4000-8000-00000000b{n:03}")),
        secrets: vec![secret.to_owned()],
        certificates: Vec::new(),
        federated_credentials: Vec::new(),
        permissions: permissions.iter().map(|s| (*s).to_owned()).collect(),
    }
}

/// The built-in demo seed.
pub fn demo_seed() -> Seed {
    Seed {
        tenant: SeedTenant {
            id: DEMO_TENANT_ID.to_owned(),
            display_name: Some("Contoso Demo".to_owned()),
            domains: vec![DEMO_DOMAIN.to_owned()],
        },
        apps: vec![
            app(
                DEMO_CLIENT_ID,
                1,
                "Entra Emulator Demo (full)",
                DEMO_CLIENT_SECRET,
                FULL_PERMISSIONS,
            ),
            app(
                LEAST_CLIENT_ID,
                2,
                "Entra Emulator Demo (least privilege)",
                LEAST_CLIENT_SECRET,
                &[
                    "AdministrativeUnit.ReadWrite.All",
                    "RoleManagement.ReadWrite.Directory",
                ],
            ),
            app(
                READER_CLIENT_ID,
                3,
                "Entra Emulator Demo (reader)",
                READER_CLIENT_SECRET,
                &[
                    "AdministrativeUnit.Read.All",
                    "RoleManagement.Read.Directory",
                ],
            ),
            app(
                NOPERM_CLIENT_ID,
                4,
                "Entra Emulator Demo (no permissions)",
                NOPERM_CLIENT_SECRET,
                &[],
            ),
        ],
        managed_identities: vec![ManagedIdentity {
            client_id: DEMO_MI_CLIENT_ID.to_owned(),
            object_id: "c0ffee00-0000-4000-8000-00000000d002".to_owned(),
            display_name: "demo-vm".to_owned(),
            permissions: FULL_PERMISSIONS.iter().map(|s| (*s).to_owned()).collect(),
            system_assigned: true,
        }],
        users: users(),
        groups: groups(),
        devices: devices(),
        administrative_units: aus(),
        custom_roles: vec![CustomRole {
            id: INTEGRATION_GROUP_MANAGER.to_owned(),
            display_name: "Integration Group Manager".to_owned(),
            description: Some(
                "Creates groups and manages their members (custom, AU-scopable).".to_owned(),
            ),
            is_enabled: true,
            allowed_resource_actions: vec![
                "microsoft.directory/groups/create".to_owned(),
                "microsoft.directory/groups/basic/update".to_owned(),
                "microsoft.directory/groups/members/update".to_owned(),
                "microsoft.directory/groups/members/read".to_owned(),
            ],
            template_id: None,
        }],
        activated_roles: Vec::new(),
        role_assignments: vec![
            SeedAssignment {
                role_definition_id: super::roles_catalog::GLOBAL_ADMIN.to_owned(),
                principal_id: user_id(1),
                directory_scope_id: "/".to_owned(),
            },
            // The helpdesk group resets passwords in the Seattle office only.
            SeedAssignment {
                role_definition_id: super::roles_catalog::HELPDESK_ADMINISTRATOR.to_owned(),
                principal_id: "c0ffee00-0000-4000-8002-000000000004".to_owned(),
                directory_scope_id: format!("/administrativeUnits/{}", au_id(1)),
            },
            // Lets the full demo app create groups inside AUs (POST .../members).
            SeedAssignment {
                role_definition_id: GROUPS_ADMINISTRATOR.to_owned(),
                principal_id: DEMO_SP_ID.to_owned(),
                directory_scope_id: "/".to_owned(),
            },
        ],
    }
}
