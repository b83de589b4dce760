//! Runs every case in `tests/corpus.txt` and reports all mismatches with their lines.
//!
//! Format (one directive per line, `#` comments):
//! - `> <rule>` starts a case (the rule is the rest of the line, verbatim).
//! - `= <normal form>` the rule is valid for an AU and prints as given (`=` alone: as written).
//! - `! <Kind> <column> <message fragment>` the rule is rejected with an error of that kind
//!   at that column whose message contains the fragment (several `!` lines may follow).
//! - `? <suggestion>` the first expected error carries this suggestion.

use entra_rules::{ErrorKind, RuleError, normalize, parse_for_administrative_unit, same_rule};

const CORPUS: &str = include_str!("../corpus.txt");

struct Case {
    line: usize,
    rule: String,
    normal: Option<String>,
    errors: Vec<(String, usize, String)>,
    suggestion: Option<String>,
}

fn cases() -> Vec<Case> {
    let mut out: Vec<Case> = Vec::new();
    for (i, raw) in CORPUS.lines().enumerate() {
        let line = i + 1;
        let (tag, rest) = raw.split_at(raw.len().min(1));
        let rest = rest.strip_prefix(' ').unwrap_or(rest);
        match tag {
            ">" => out.push(Case {
                line,
                rule: rest.to_owned(),
                normal: None,
                errors: Vec::new(),
                suggestion: None,
            }),
            "=" => {
                let case = out
                    .last_mut()
                    .unwrap_or_else(|| panic!("line {line}: no case"));
                case.normal = Some(if rest.is_empty() {
                    case.rule.clone()
                } else {
                    rest.to_owned()
                });
            }
            "!" => {
                let mut parts = rest.splitn(3, ' ');
                let kind = parts.next().unwrap_or_default().to_owned();
                let column = parts
                    .next()
                    .and_then(|c| c.parse().ok())
                    .unwrap_or_else(|| panic!("line {line}: bad column"));
                let fragment = parts.next().unwrap_or_default().to_owned();
                out.last_mut()
                    .unwrap_or_else(|| panic!("line {line}: no case"))
                    .errors
                    .push((kind, column, fragment));
            }
            "?" => {
                out.last_mut()
                    .unwrap_or_else(|| panic!("line {line}: no case"))
                    .suggestion = Some(rest.to_owned())
            }
            "#" | "" => {}
            _ => panic!("line {line}: unknown directive {raw:?}"),
        }
    }
    out
}

fn kind_name(kind: ErrorKind) -> String {
    format!("{kind:?}")
}

fn describe(errors: &[RuleError]) -> String {
    errors
        .iter()
        .map(|e| format!("    {} {} {}", kind_name(e.kind), e.column, e))
        .collect::<Vec<_>>()
        .join("\n")
}

fn check(case: &Case) -> Result<(), String> {
    let result = parse_for_administrative_unit(&case.rule);
    match (&case.normal, result) {
        (Some(normal), Ok(rule)) => {
            let printed = rule.to_string();
            if &printed != normal {
                return Err(format!(
                    "normal form\n    got:      {printed}\n    expected: {normal}"
                ));
            }
            let again =
                normalize(&printed).map_err(|e| format!("normal form does not re-parse: {e}"))?;
            if again != printed {
                return Err(format!("normal form is not stable: {again}"));
            }
            if !same_rule(&case.rule, &printed) {
                return Err("same_rule(rule, normal form) is false".to_owned());
            }
            Ok(())
        }
        (Some(_), Err(errors)) => Err(format!(
            "expected valid, got errors:\n{}",
            describe(&errors)
        )),
        (None, Ok(rule)) => Err(format!("expected errors, got valid rule {rule}")),
        (None, Err(errors)) => {
            if case.errors.is_empty() {
                return Err(format!(
                    "case has no expectation; errors:\n{}",
                    describe(&errors)
                ));
            }
            for (kind, column, fragment) in &case.errors {
                let found = errors.iter().any(|e| {
                    &kind_name(e.kind) == kind
                        && e.column == *column
                        && e.message.contains(fragment.as_str())
                });
                if !found {
                    return Err(format!(
                        "expected {kind} at column {column} containing {fragment:?}; got:\n{}",
                        describe(&errors)
                    ));
                }
            }
            if let Some(s) = &case.suggestion {
                let first = &case.errors[0];
                let e = errors
                    .iter()
                    .find(|e| kind_name(e.kind) == first.0 && e.column == first.1);
                if e.and_then(|e| e.suggestion.as_ref()) != Some(s) {
                    return Err(format!(
                        "expected suggestion {s:?}; got:\n{}",
                        describe(&errors)
                    ));
                }
            }
            Ok(())
        }
    }
}

#[test]
fn corpus() {
    let cases = cases();
    assert!(cases.len() >= 150, "corpus has only {} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            check(c)
                .err()
                .map(|e| format!("line {}: {}\n  {e}", c.line, c.rule))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn generated_limits() {
    let long = format!("user.city -eq \"{}\"", "x".repeat(3072));
    let errors = parse_for_administrative_unit(&long).unwrap_err();
    assert_eq!(errors[0].kind, ErrorKind::TooLong);
    assert_eq!(errors[0].column, 3073);

    let exact = format!("user.city -eq \"{}\"", "x".repeat(3072 - 16));
    assert!(parse_for_administrative_unit(&exact).is_ok());

    let groups: Vec<String> = (0..51).map(|i| format!("'g{i}'")).collect();
    let rule = format!(
        "user.memberOf -any (group.objectId -in [{}])",
        groups.join(",")
    );
    let errors = parse_for_administrative_unit(&rule).unwrap_err();
    assert_eq!(errors[0].kind, ErrorKind::InvalidValue);
    assert!(errors[0].message.contains("at most 50 groups"));

    let deep = format!("{}user.city -eq \"x\"{}", "(".repeat(200), ")".repeat(200));
    let errors = parse_for_administrative_unit(&deep).unwrap_err();
    assert_eq!(errors[0].kind, ErrorKind::TooDeep);

    let nots = format!("{}user.city -eq \"x\"", "-not ".repeat(100_000));
    assert_eq!(
        parse_for_administrative_unit(&nots).unwrap_err()[0].kind,
        ErrorKind::TooDeep
    );

    let ok_depth = format!("{}user.city -eq \"x\"{}", "(".repeat(60), ")".repeat(60));
    assert!(parse_for_administrative_unit(&ok_depth).is_ok());
}
