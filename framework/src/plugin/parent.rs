//! What the Terraform process that started this plugin is doing, as far as its command
//! line tells. Terraform runs a normal plan before a destroy ("pre-destroy refresh")
//! and fails the destroy on any error in it, including plan-time checks of resources
//! that would be created; no protocol field says that the plan is a destroy's. The
//! parent's arguments do: `terraform destroy`, `terraform apply -destroy`,
//! `terraform plan -destroy`.

/// Whether the parent process is a Terraform command that destroys.
pub fn terraform_is_destroying() -> bool {
    parent_arguments().is_some_and(|args| destroys(&args))
}

/// The parent's arguments, where the platform shows them (Linux `/proc`).
fn parent_arguments() -> Option<Vec<String>> {
    let parent = std::os::unix::process::parent_id();
    let raw = std::fs::read(format!("/proc/{parent}/cmdline")).ok()?;
    Some(
        raw.split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect(),
    )
}

/// Whether Terraform arguments (program name first) ask for a destroy.
fn destroys(args: &[String]) -> bool {
    let mut rest = args.iter().skip(1).map(String::as_str);
    // Global options such as -chdir=DIR come before the subcommand.
    let Some(command) = rest.by_ref().find(|a| !a.starts_with('-')) else {
        return false;
    };
    command == "destroy"
        || (matches!(command, "apply" | "plan")
            && rest.any(|a| {
                matches!(
                    a,
                    "-destroy" | "--destroy" | "-destroy=true" | "--destroy=true"
                )
            }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(ToOwned::to_owned).collect()
    }

    #[test]
    fn destroy_commands_are_recognised() {
        for yes in [
            "terraform destroy -auto-approve",
            "terraform -chdir=infra destroy",
            "terraform apply -destroy -auto-approve",
            "terraform plan -destroy -out=tfplan",
        ] {
            assert!(destroys(&args(yes)), "{yes}");
        }
        for no in [
            "terraform apply -auto-approve",
            "terraform plan -out=destroy",
            "terraform apply destroy.tfplan",
            "terraform",
        ] {
            assert!(!destroys(&args(no)), "{no}");
        }
    }
}
