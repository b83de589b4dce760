//! Fuzzes parse + validate + normalize + evaluate, and checks that the normal form
//! re-parses to the same tree. Run from rules/fuzz with `cargo +nightly fuzz run parse`.
#![no_main]

use entra_rules::{EvalContext, evaluate, normalize, parse, validate_for_administrative_unit};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = normalize(text);
    let Ok(rule) = parse(text) else {
        return;
    };
    let _ = validate_for_administrative_unit(&rule);
    let object = serde_json::json!({
        "department": "Sales",
        "proxyAddresses": ["smtp:a@contoso.com"],
        "assignedPlans": [{"servicePlanId": "x", "capabilityStatus": "Enabled"}],
        "employeeHireDate": "2020-06-10T18:13:20Z"
    });
    let _ = evaluate(&rule, &object, &EvalContext::at_unix_seconds(1_700_000_000));
    let printed = rule.to_string();
    match parse(&printed) {
        Ok(again) => assert!(again == rule, "normal form changed the rule: {printed}"),
        Err(e) => panic!("normal form does not parse: {printed}: {e}"),
    }
});
