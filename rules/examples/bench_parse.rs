//! Times parse + validate of a rule close to the 3,072-character limit.
//!
//! Run with `cargo run --release -p entra-rules --example bench_parse`.

use std::hint::black_box;
use std::time::Instant;

use entra_rules::{MAX_RULE_CHARS, parse, validate_for_administrative_unit};

/// Builds a realistic rule of at most `MAX_RULE_CHARS` characters mixing every construct.
fn big_rule() -> String {
    let clauses = [
        "(user.department -eq \"Sales {i}\")",
        "(user.jobTitle -startsWith 'Manager {i}')",
        "(user.proxyAddresses -any (_ -contains \"contoso{i}\"))",
        "(user.country -in [\"US\",\"GB\",\"FR{i}\"])",
        "(user.displayName -match \"^Da.*{i}\")",
        "-not (user.city -eq \"X{i}\")",
        "(user.assignedPlans -any (assignedPlan.servicePlanId -eq \"efb87545-963c-4e0d-99df-69c6916d9eb{i}\" -and assignedPlan.capabilityStatus -eq \"Enabled\"))",
        "(user.employeeHireDate -ge system.now -plus -P{i}D)",
    ];
    let mut rule = String::new();
    for i in 0.. {
        let clause = clauses[i % clauses.len()].replace("{i}", &(i % 10).to_string());
        let sep = if rule.is_empty() { "" } else { " -or " };
        if rule.len() + sep.len() + clause.len() > MAX_RULE_CHARS {
            break;
        }
        rule.push_str(sep);
        rule.push_str(&clause);
    }
    rule
}

fn main() {
    let rule = big_rule();
    let iterations = 2_000;
    if let Err(e) = parse(&rule)
        .map_err(|e| vec![e])
        .and_then(|r| validate_for_administrative_unit(&r))
    {
        eprintln!("benchmark rule is invalid: {e:?}");
        std::process::exit(1);
    }
    for _ in 0..100 {
        black_box(
            parse(black_box(&rule))
                .map(|r| validate_for_administrative_unit(&r).is_ok())
                .ok(),
        );
    }
    let start = Instant::now();
    for _ in 0..iterations {
        black_box(
            parse(black_box(&rule))
                .map(|r| validate_for_administrative_unit(&r).is_ok())
                .ok(),
        );
    }
    let per = start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations);
    let start = Instant::now();
    for _ in 0..iterations {
        black_box(parse(black_box(&rule)).is_ok());
    }
    let parse_only = start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations);
    println!("rule length: {} characters", rule.chars().count());
    println!("parse + validate: {per:.1} µs per rule (mean of {iterations})");
    println!("parse only:       {parse_only:.1} µs per rule (mean of {iterations})");
}
