//! Hostile nesting in a rule body is refused with a clean error, never a stack overflow,
//! whatever the rule's length (the 3,072-character limit is checked separately).

#![allow(clippy::unwrap_used)]

use entra_rules::{ErrorKind, MAX_DEPTH, parse, parse_for_administrative_unit};

fn parenthesised(n: usize) -> String {
    format!("{}user.city -eq \"x\"{}", "(".repeat(n), ")".repeat(n))
}

#[test]
fn deep_parentheses_are_refused_cleanly() {
    for n in [MAX_DEPTH + 1, 2_000, 100_000] {
        let e = parse(&parenthesised(n)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::TooDeep, "{n}");
        let errors = parse_for_administrative_unit(&parenthesised(n)).unwrap_err();
        assert!(
            errors.iter().any(|e| e.kind == ErrorKind::TooDeep),
            "{n}: {errors:?}"
        );
    }
    assert!(parse(&parenthesised(MAX_DEPTH - 1)).is_ok());
}

#[test]
fn deep_nots_and_unclosed_parentheses_are_refused_cleanly() {
    let nots = format!("{}user.city -eq \"x\"", "-not (".repeat(100_000));
    assert_eq!(parse(&nots).unwrap_err().kind, ErrorKind::TooDeep);
    let unclosed = "(".repeat(100_000);
    assert_eq!(parse(&unclosed).unwrap_err().kind, ErrorKind::TooDeep);
    let any = format!(
        "user.proxyAddresses -any ({}_ -eq \"x\"{})",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    assert_eq!(parse(&any).unwrap_err().kind, ErrorKind::TooDeep);
}
