//! `docgen`: the Terraform Registry docs of terraform-provider-entra, generated from the
//! provider's own schema (`terraform providers schema -json`) and the page templates in
//! `templates/`, embedding the example files under `examples/`.
//!
//! ```text
//! docgen schema   --provider PATH              print the provider schema JSON
//! docgen generate (--provider PATH | --schema FILE) [--root DIR]   write docs/
//! docgen check    (--provider PATH | --schema FILE) [--root DIR]   fail when docs/ differs
//! ```
//! `scripts/docs.sh` (`make docs`, `make docs-check`) builds the provider and runs these.

mod render;
mod schema;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value as Json;

const USAGE: &str = "usage: docgen schema --provider PATH\n       \
                     docgen generate (--provider PATH | --schema FILE) [--root DIR]\n       \
                     docgen check (--provider PATH | --schema FILE) [--root DIR]";

struct Args {
    command: String,
    provider: Option<PathBuf>,
    schema: Option<PathBuf>,
    root: PathBuf,
}

fn parse_args() -> Result<Args> {
    let mut args = std::env::args().skip(1);
    let command = args.next().ok_or_else(|| anyhow!("{USAGE}"))?;
    let mut parsed = Args {
        command,
        provider: None,
        schema: None,
        root: PathBuf::from("."),
    };
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| anyhow!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--provider" => parsed.provider = Some(PathBuf::from(value)),
            "--schema" => parsed.schema = Some(PathBuf::from(value)),
            "--root" => parsed.root = PathBuf::from(value),
            other => bail!("unknown flag {other}\n{USAGE}"),
        }
    }
    Ok(parsed)
}

fn load_schema(args: &Args) -> Result<Json> {
    match (&args.provider, &args.schema) {
        (Some(provider), None) => schema::from_provider(provider),
        (None, Some(file)) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("reading {}", file.display()))?;
            serde_json::from_str(&text).with_context(|| format!("parsing {}", file.display()))
        }
        _ => bail!("give exactly one of --provider and --schema\n{USAGE}"),
    }
}

/// Pages under docs/ that are written by hand, not generated: left alone by
/// `generate` and `check`.
const HAND_WRITTEN: &[&str] = &["release.md"];

/// The `.md` files under `dir`, relative to it.
fn existing_docs(dir: &Path) -> Result<BTreeMap<PathBuf, String>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, String>) -> Result<()> {
        if !dir.exists() {
            return Ok(());
        }
        for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                walk(base, &path, out)?;
            } else if path.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                out.insert(path.strip_prefix(base)?.to_path_buf(), text);
            }
        }
        Ok(())
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out)?;
    out.retain(|path, _| !HAND_WRITTEN.iter().any(|h| path == Path::new(h)));
    Ok(out)
}

/// The differences between the generated and the committed docs, one line each.
fn differences(
    wanted: &BTreeMap<PathBuf, String>,
    found: &BTreeMap<PathBuf, String>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (path, text) in wanted {
        match found.get(path) {
            None => out.push(format!("missing:    docs/{}", path.display())),
            Some(old) if old != text => {
                let line = old
                    .lines()
                    .zip(text.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or_else(|| old.lines().count().min(text.lines().count()));
                let wanted_line = text.lines().nth(line).unwrap_or("<end of file>");
                out.push(format!(
                    "changed:    docs/{} (line {}: expected {wanted_line:?})",
                    path.display(),
                    line + 1
                ));
            }
            Some(_) => {}
        }
    }
    for path in found.keys().filter(|p| !wanted.contains_key(*p)) {
        out.push(format!("unexpected: docs/{}", path.display()));
    }
    out
}

fn run() -> Result<ExitCode> {
    let args = parse_args()?;
    match args.command.as_str() {
        "schema" => {
            let provider = args
                .provider
                .as_deref()
                .ok_or_else(|| anyhow!("schema needs --provider\n{USAGE}"))?;
            println!(
                "{}",
                serde_json::to_string_pretty(&schema::from_provider(provider)?)?
            );
            Ok(ExitCode::SUCCESS)
        }
        "generate" => {
            let pages = render::render_docs(&load_schema(&args)?, &args.root)?;
            let docs = args.root.join("docs");
            for stale in existing_docs(&docs)?
                .keys()
                .filter(|p| !pages.contains_key(*p))
            {
                std::fs::remove_file(docs.join(stale))
                    .with_context(|| format!("removing docs/{}", stale.display()))?;
            }
            for (path, text) in &pages {
                let target = docs.join(path);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&target, text)
                    .with_context(|| format!("writing {}", target.display()))?;
            }
            eprintln!(
                "docgen: wrote {} pages under {}",
                pages.len(),
                docs.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        "check" => {
            let pages = render::render_docs(&load_schema(&args)?, &args.root)?;
            let diffs = differences(&pages, &existing_docs(&args.root.join("docs"))?);
            if diffs.is_empty() {
                eprintln!("docgen: docs/ is up to date ({} pages)", pages.len());
                return Ok(ExitCode::SUCCESS);
            }
            eprintln!(
                "docgen: docs/ differs from what the provider schema, templates/ and examples/ generate:"
            );
            for line in diffs {
                eprintln!("  {line}");
            }
            eprintln!("Run `make docs` to regenerate docs/, then commit the result.");
            Ok(ExitCode::FAILURE)
        }
        other => bail!("unknown command {other}\n{USAGE}"),
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("docgen: {err:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_name_missing_changed_and_unexpected_pages() {
        let wanted: BTreeMap<PathBuf, String> = [
            (PathBuf::from("index.md"), "a\nb\n".to_owned()),
            (PathBuf::from("resources/x.md"), "x\n".to_owned()),
            (PathBuf::from("resources/same.md"), "s\n".to_owned()),
        ]
        .into();
        let found: BTreeMap<PathBuf, String> = [
            (PathBuf::from("index.md"), "a\nc\n".to_owned()),
            (PathBuf::from("resources/same.md"), "s\n".to_owned()),
            (PathBuf::from("guides/old.md"), "o\n".to_owned()),
        ]
        .into();
        assert_eq!(
            differences(&wanted, &found),
            vec![
                "changed:    docs/index.md (line 2: expected \"b\")".to_owned(),
                "missing:    docs/resources/x.md".to_owned(),
                "unexpected: docs/guides/old.md".to_owned(),
            ]
        );
        assert!(differences(&wanted, &wanted).is_empty());
    }
}
