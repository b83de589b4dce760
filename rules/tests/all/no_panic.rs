//! Seeded random inputs (mutated corpus rules and random bytes) never make the
//! parser, validator, printer or evaluator panic, and every rule that parses prints
//! a normal form that parses back to the same tree.

use entra_rules::{EvalContext, evaluate, parse, validate_for_administrative_unit};

const CORPUS: &str = include_str!("../corpus.txt");
const INPUTS: usize = 20_000;

/// SplitMix64: small, deterministic, good enough for test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const ALPHABET: &[char] = &[
    '(', ')', '[', ']', ',', '"', '\'', '`', '-', '–', '_', '.', ' ', '\t', '\n', '0', '9', 'a',
    'Z', 'é', '東', '“', '#', '=', '+', ':', 'T', 'P', '\u{0}', '\u{FEFF}',
];

const FRAGMENTS: &[&str] = &[
    " -and ",
    " -or ",
    "-not ",
    " -eq ",
    " -in ",
    "-any",
    " -all ",
    "null",
    "system.now -plus ",
    "P1D",
    "_",
    "user.",
    "device.",
    "group.objectId",
    "assignedPlan.",
    "Direct Reports for ",
    "\"",
    "'",
    "`\"",
    "[",
    "]",
    "2020-06-10T18:13:20Z",
    "-9223372036854775809",
    "((((",
    "))))",
];

fn mutate(rng: &mut Rng, rules: &[Vec<char>]) -> String {
    let mut s = rules[rng.below(rules.len())].clone();
    for _ in 0..=rng.below(2) {
        let at = rng.below(s.len() + 1);
        match rng.below(6) {
            0 => s.insert(at, ALPHABET[rng.below(ALPHABET.len())]),
            1 => {
                let end = (at + 1 + rng.below(6)).min(s.len());
                s.drain(at.min(end)..end);
            }
            2 => {
                let f = FRAGMENTS[rng.below(FRAGMENTS.len())];
                s.splice(at..at, f.chars());
            }
            3 => s.truncate(at),
            4 => {
                let other = &rules[rng.below(rules.len())];
                let from = rng.below(other.len() + 1);
                s.splice(at..at, other[from..].iter().copied());
            }
            _ => {
                let end = (at + rng.below(8)).min(s.len());
                let piece: Vec<char> = s[at..end].to_vec();
                s.splice(at..at, piece);
            }
        }
    }
    s.into_iter().collect()
}

fn random_bytes(rng: &mut Rng) -> String {
    let len = rng.below(64);
    let bytes: Vec<u8> = (0..len).map(|_| (rng.next() & 0xFF) as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn random_inputs_never_panic() {
    let rules: Vec<Vec<char>> = CORPUS
        .lines()
        .filter_map(|l| l.strip_prefix("> "))
        .map(|l| l.chars().collect())
        .collect();
    let object = serde_json::json!({
        "id": "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb", "department": "Sales", "accountEnabled": true,
        "proxyAddresses": ["smtp:a@b"], "assignedPlans": [{"servicePlanId": "x", "capabilityStatus": "Enabled"}],
        "memberOf": ["g1"], "employeeHireDate": "2020-06-10T18:13:20Z", "operatingSystem": "Windows"
    });
    let ctx = EvalContext::at_unix_seconds(1_700_000_000);
    let mut rng = Rng(0x5EED_0FE1_7A00);
    let mut parsed = 0;
    for i in 0..INPUTS {
        let input = if i % 10 == 0 {
            random_bytes(&mut rng)
        } else {
            mutate(&mut rng, &rules)
        };
        let Ok(rule) = parse(&input) else { continue };
        parsed += 1;
        let _ = validate_for_administrative_unit(&rule);
        let _ = evaluate(&rule, &object, &ctx);
        let printed = rule.to_string();
        let again =
            parse(&printed).unwrap_or_else(|e| panic!("input {input:?}\nprinted {printed:?}\n{e}"));
        assert_eq!(again, rule, "input {input:?}\nprinted {printed:?}");
    }
    assert!(
        parsed > INPUTS / 20,
        "only {parsed} inputs parsed; mutations too aggressive"
    );
}
