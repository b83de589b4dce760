//! The layering rule of `ARCHITECTURE.md`, checked: a module uses only modules of a
//! lower layer (or its own). An import upward fails the test with the file and line.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The main crate's layers, lowest first.
const PROVIDER_LAYERS: &[&[&str]] = &[
    &["graph"],
    &["ids", "permissions"],
    &["client"],
    &["support"],
    &["resources"],
    &["data_sources"],
    &["provider"],
    &["export"],
];

/// The framework's layers, lowest first.
const FRAMEWORK_LAYERS: &[&[&str]] = &[
    &["types", "value", "codec"],
    &["diag", "schema", "validators", "private"],
    &["model", "timeouts"],
    &["resource"],
    &["erased", "plan"],
    &["provider"],
    &["server"],
    &["plugin", "proto", "logging"],
];

/// Names the framework's `lib.rs` re-exports, and the module each comes from.
const FRAMEWORK_REEXPORTS: &[(&str, &str)] = &[
    ("Diagnostic", "diag"),
    ("Diagnostics", "diag"),
    ("DynDataSource", "erased"),
    ("DynResource", "erased"),
    ("Maybe", "model"),
    ("ConfigureRequest", "provider"),
    ("Provider", "provider"),
    ("ReadConsistency", "provider"),
    ("Failed", "resource"),
    ("CreateRequest", "resource"),
    ("Ctx", "resource"),
    ("DataSource", "resource"),
    ("DeleteRequest", "resource"),
    ("Done", "resource"),
    ("Model", "resource"),
    ("ModifyPlanRequest", "resource"),
    ("ReadRequest", "resource"),
    ("Resource", "resource"),
    ("MoveSource", "resource"),
    ("UpdateRequest", "resource"),
    ("Attribute", "schema"),
    ("Block", "schema"),
    ("Nesting", "schema"),
    ("Schema", "schema"),
    ("Timeouts", "timeouts"),
    ("Type", "types"),
    ("AttributePath", "value"),
    ("Value", "value"),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`graph/batch.rs` → `graph`).
fn module_of(root: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(root).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_owned())
}

/// The crate modules one line refers to: `crate::x`, names in `crate::{A, b}`, and
/// `super::x` in a file at the crate root.
fn modules_named(line: &str, at_root: bool, reexports: &BTreeMap<&str, &str>) -> Vec<String> {
    let mut found = Vec::new();
    let mut prefixes = vec!["crate::"];
    if at_root {
        prefixes.push("super::");
    }
    for prefix in prefixes {
        for (start, _) in line.match_indices(prefix) {
            let rest = &line[start + prefix.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or_default();
                for name in inner.split(',').map(str::trim) {
                    let head = name.split("::").next().unwrap_or_default();
                    found.push(reexports.get(head).map_or(head, |m| m).to_owned());
                }
            } else {
                let head: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                found.push(
                    reexports
                        .get(head.as_str())
                        .map_or(head.as_str(), |m| m)
                        .to_owned(),
                );
            }
        }
    }
    found
}

/// Each import that goes up a layer, as `file:line: from -> to`.
fn upward_imports(root: &Path, layers: &[&[&str]], reexports: &[(&str, &str)]) -> Vec<String> {
    let rank = |module: &str| layers.iter().position(|layer| layer.contains(&module));
    let reexports: BTreeMap<&str, &str> = reexports.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(root, &mut files);
    let mut upward = Vec::new();
    for file in files {
        let Some(from) = module_of(root, &file) else {
            continue;
        };
        let Some(from_rank) = rank(&from) else {
            continue;
        };
        let at_root = file.parent() == Some(root);
        let text = fs::read_to_string(&file).expect("readable source");
        for (index, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for to in modules_named(line, at_root, &reexports) {
                if to != from && rank(&to).is_some_and(|r| r > from_rank) {
                    upward.push(format!("{}:{}: {from} -> {to}", file.display(), index + 1));
                }
            }
        }
    }
    upward
}

#[test]
fn provider_modules_import_only_lower_layers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let upward = upward_imports(&root, PROVIDER_LAYERS, &[]);
    assert!(
        upward.is_empty(),
        "imports up a layer (see ARCHITECTURE.md): {upward:#?}"
    );
}

#[test]
fn framework_modules_import_only_lower_layers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("framework/src");
    let upward = upward_imports(&root, FRAMEWORK_LAYERS, FRAMEWORK_REEXPORTS);
    assert!(
        upward.is_empty(),
        "imports up a layer (see ARCHITECTURE.md): {upward:#?}"
    );
}

#[test]
fn an_upward_import_is_found() {
    let reexports = FRAMEWORK_REEXPORTS.iter().copied().collect();
    assert_eq!(
        modules_named("use crate::resources::x;", false, &reexports),
        ["resources"]
    );
    assert_eq!(
        modules_named("use crate::{Provider, value::Value};", false, &reexports),
        ["provider", "value"]
    );
    assert_eq!(
        modules_named("use super::server;", true, &reexports),
        ["server"]
    );
    assert!(modules_named("use super::server;", false, &reexports).is_empty());
}
