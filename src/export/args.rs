//! The `export` command line.

use std::path::PathBuf;

/// How memberships are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberStyle {
    /// One authoritative `entra_au_members` per unit.
    List,
    /// One `entra_au_member` per membership, grouped with `for_each` per unit.
    Each,
}

/// What `export` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportArgs {
    /// Where the configuration goes.
    pub out: PathBuf,
    /// Only units whose display name starts with this.
    pub display_name_prefix: Option<String>,
    /// How memberships are written.
    pub members: MemberStyle,
}

/// The command line did not make sense, or asked for help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgsError {
    /// `--help`: print [`USAGE`] and succeed.
    Help,
    /// A mistake, with what to do.
    Invalid(String),
}

/// `terraform-provider-entra export --help`.
pub const USAGE: &str = "\
Usage: terraform-provider-entra export --out DIR [--display-name-prefix PREFIX] [--members list|each]

Reads the tenant's administrative units, their assigned members and the roles granted at
their scope, and writes a Terraform configuration into DIR that manages them as they are:
a provider block, one entra_administrative_unit per unit, the memberships, one
entra_au_scoped_role_assignment per role assignment, and an import block for each. In DIR,
`terraform init && terraform plan` shows only imports; after `terraform apply`, the next
plan is empty.

Credentials and endpoints come from the same environment variables as the provider:
ARM_TENANT_ID, ARM_CLIENT_ID and one credential (ARM_CLIENT_SECRET, ARM_CLIENT_CERTIFICATE_PATH,
ARM_USE_OIDC, ARM_USE_MSI or ARM_USE_CLI), ARM_ENVIRONMENT, and ENTRA_GRAPH_ENDPOINT /
ENTRA_LOGIN_ENDPOINT for the emulator. The service principal needs AdministrativeUnit.Read.All
and RoleManagement.Read.Directory (Member.Read.Hidden for hidden-membership units).

Options:
  --out DIR                      Directory to write (created if missing; existing .tf files
                                 named like ours are replaced)
  --display-name-prefix PREFIX   Only units whose display name starts with PREFIX
  --members list                 One entra_au_members per unit: the unit's whole member list,
                                 authoritative (default; plans fast at any size)
  --members each                 One entra_au_member per membership (for_each per unit): other
                                 tools may keep adding members
  -h, --help                     Show this help

Dynamic units are exported without members (their rule decides them). Progress goes to stderr.";

/// Parses the words after `export`.
pub fn parse(words: &[String]) -> Result<ExportArgs, ArgsError> {
    let mut out = None;
    let mut prefix = None;
    let mut members = MemberStyle::List;
    let mut words = words.iter();
    while let Some(word) = words.next() {
        let (flag, inline) = match word.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
            _ => (word.as_str(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| words.next().cloned())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| ArgsError::Invalid(format!("{name} needs a value.")))
        };
        match flag {
            "-h" | "--help" | "help" => return Err(ArgsError::Help),
            "--out" | "-o" => out = Some(PathBuf::from(value("--out")?)),
            "--display-name-prefix" => prefix = Some(value("--display-name-prefix")?),
            "--members" => {
                members = match value("--members")?.as_str() {
                    "list" => MemberStyle::List,
                    "each" => MemberStyle::Each,
                    other => {
                        return Err(ArgsError::Invalid(format!(
                            "--members is \"list\" or \"each\", not {other:?}."
                        )));
                    }
                }
            }
            other => {
                return Err(ArgsError::Invalid(format!(
                    "Unknown argument {other:?}. Run `terraform-provider-entra export --help`."
                )));
            }
        }
    }
    let out = out.ok_or_else(|| {
        ArgsError::Invalid(
            "--out DIR is required: the directory to write the configuration into.".into(),
        )
    })?;
    Ok(ExportArgs {
        out,
        display_name_prefix: prefix,
        members,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(ToOwned::to_owned).collect()
    }

    #[test]
    fn arguments_parse_in_both_spellings_and_mistakes_say_what_to_do() {
        let args = parse(&words(
            "--out dir --display-name-prefix Site --members each",
        ))
        .unwrap();
        assert_eq!(args.out, PathBuf::from("dir"));
        assert_eq!(args.display_name_prefix.as_deref(), Some("Site"));
        assert_eq!(args.members, MemberStyle::Each);
        let args = parse(&words("--out=dir")).unwrap();
        assert_eq!(args.members, MemberStyle::List);
        assert_eq!(parse(&words("--help")), Err(ArgsError::Help));
        let Err(ArgsError::Invalid(why)) = parse(&words("--display-name-prefix x")) else {
            panic!("--out is required");
        };
        assert!(why.contains("--out DIR is required"), "{why}");
        let Err(ArgsError::Invalid(why)) = parse(&words("--out d --members all")) else {
            panic!("bad --members");
        };
        assert!(why.contains("\"list\" or \"each\""), "{why}");
        assert!(matches!(parse(&words("--out")), Err(ArgsError::Invalid(_))));
    }
}
