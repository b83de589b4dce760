//! "Did you mean" suggestions based on edit distance.

use crate::ast::Operator;
use crate::properties::{known_properties, strip_prefix_ci};
use crate::vocabulary::Subject;

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions),
/// ignoring ASCII case.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        d[i * width] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

/// How many edits still count as a near miss for a word of `len` characters.
fn tolerance(len: usize) -> usize {
    match len {
        0..=3 => 1,
        4..=6 => 2,
        _ => 3,
    }
}

/// Common non-rule spellings of operators.
const OPERATOR_SYNONYMS: &[(&str, &str)] = &[
    ("equals", "eq"),
    ("equal", "eq"),
    ("is", "eq"),
    ("notequals", "ne"),
    ("notequal", "ne"),
    ("neq", "ne"),
    ("isnot", "ne"),
    ("gt", "ge"),
    ("lt", "le"),
    ("gte", "ge"),
    ("lte", "le"),
    ("beginswith", "startsWith"),
    ("like", "match"),
    ("notlike", "notMatch"),
    ("includes", "contains"),
    ("has", "contains"),
];

/// Suggests a canonical operator (with hyphen) for a misspelt one (without hyphen).
pub(crate) fn operator(word: &str) -> Option<String> {
    if let Some((_, op)) = OPERATOR_SYNONYMS
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(word))
    {
        return Some(format!("-{op}"));
    }
    let words = Operator::ALL
        .iter()
        .map(|op| op.word())
        .chain(["any", "all"]);
    closest(word, words).map(|w| format!("-{w}"))
}

/// The candidate nearest to `word` (ignoring ASCII case), if it is close enough to be
/// a likely misspelling: "did you mean" for any vocabulary.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = tolerance(word.chars().count());
    candidates
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Suggests a catalogued property (full canonical name) for an unknown one.
///
/// The part after the prefix is compared; a property of the other subject costs one
/// extra edit, so `user.deviceOSType` suggests `device.deviceOSType`.
pub(crate) fn property(text: &str) -> Option<String> {
    let (prefix, name) = split_prefix(text);
    // The Graph name of a property the rule language spells differently, e.g.
    // device.operatingSystem for device.deviceOSType.
    if let Some(d) = known_properties().find(|d| {
        d.graph_path.eq_ignore_ascii_case(name)
            && !d.name.eq_ignore_ascii_case(name)
            && prefix.is_none_or(|p| p == d.subject)
    }) {
        return Some(format!("{}.{}", d.subject.prefix(), d.name));
    }
    let limit = tolerance(name.chars().count());
    known_properties()
        .map(|d| {
            let penalty = usize::from(prefix.is_some_and(|p| p != d.subject));
            (edit_distance(name, d.name) + penalty, d)
        })
        .filter(|(dist, _)| *dist <= limit)
        .min_by_key(|(dist, _)| *dist)
        .map(|(_, d)| format!("{}.{}", d.subject.prefix(), d.name))
}

/// Splits a `user.`/`device.` prefix off (a misspelt prefix counts as none).
fn split_prefix(text: &str) -> (Option<Subject>, &str) {
    if let Some(rest) = strip_prefix_ci(text, "user.") {
        return (Some(Subject::User), rest);
    }
    if let Some(rest) = strip_prefix_ci(text, "device.") {
        return (Some(Subject::Device), rest);
    }
    match text.split_once('.') {
        Some((_, rest)) => (None, rest),
        None => (None, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("departmnet", "department"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("Kitten", "sitting"), 3);
        assert_eq!(edit_distance("EQ", "eq"), 0);
    }

    #[test]
    fn operator_suggestions() {
        assert_eq!(operator("equals").as_deref(), Some("-eq"));
        assert_eq!(operator("gt").as_deref(), Some("-ge"));
        assert_eq!(operator("startWith").as_deref(), Some("-startsWith"));
        assert_eq!(operator("notcontain").as_deref(), Some("-notContains"));
        assert_eq!(operator("frobnicate"), None);
    }

    #[test]
    fn property_suggestions() {
        assert_eq!(
            property("user.departmnet").as_deref(),
            Some("user.department")
        );
        assert_eq!(property("department").as_deref(), Some("user.department"));
        assert_eq!(
            property("user.deviceOSType").as_deref(),
            Some("device.deviceOSType")
        );
        assert_eq!(
            property("device.operatingSystem").as_deref(),
            Some("device.deviceOSType")
        );
        assert_eq!(
            property("device.deviceOsTyp").as_deref(),
            Some("device.deviceOSType")
        );
        assert_eq!(property("usr.jobTitle").as_deref(), Some("user.jobTitle"));
        assert_eq!(property("user.zzzzzzzzzz"), None);
    }
}
