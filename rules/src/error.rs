//! Errors reported by the parser and the validator.

use crate::ast::Span;

/// The category of a [`RuleError`], stable enough to match on in tests and callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The text does not follow the rule grammar (missing parenthesis, stray token, ...).
    Syntax,
    /// A string literal has no closing quote.
    UnterminatedString,
    /// The property name is not in the catalogue.
    UnknownProperty,
    /// The operator name is not part of the rule language.
    UnknownOperator,
    /// The operator exists but cannot be used with this property or value.
    OperatorNotAllowed,
    /// The value has the wrong type or shape for the comparison.
    InvalidValue,
    /// A `-match`/`-notMatch` pattern is not a valid regular expression.
    InvalidRegex,
    /// The rule mixes user and device properties.
    MixedSubjects,
    /// The rule uses a subject that administrative units do not support (`group.*`).
    UnsupportedSubject,
    /// `memberOf` or `Direct Reports` is combined with other clauses.
    MustStandAlone,
    /// `-not` is applied to a comparison with `null`.
    NotWithNull,
    /// The rule is longer than 3,072 characters.
    TooLong,
    /// The rule nests parentheses, `-not` or lists too deeply.
    TooDeep,
}

/// A problem in a rule, located by byte span and 1-based character column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}{}", SuggestionSuffix(.suggestion.as_deref()))]
pub struct RuleError {
    /// What kind of problem this is.
    pub kind: ErrorKind,
    /// A sentence describing the problem (without the column prefix).
    pub message: String,
    /// 1-based column of `span.start`, counted in characters.
    pub column: usize,
    /// Byte offsets of the offending text in the rule source.
    pub span: Span,
    /// A replacement the author probably meant, if one is known.
    pub suggestion: Option<String>,
}

impl RuleError {
    /// Builds an error for `span` of `source`, computing the column.
    pub(crate) fn new(
        kind: ErrorKind,
        source: &str,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            message: message.into(),
            column: column_of(source, span.start),
            span,
            suggestion: None,
        }
    }

    /// Attaches a suggestion.
    pub(crate) fn with_suggestion(mut self, suggestion: Option<impl Into<String>>) -> Self {
        self.suggestion = suggestion.map(Into::into);
        self
    }
}

/// 1-based character column of byte offset `offset` in `source`.
pub(crate) fn column_of(source: &str, offset: usize) -> usize {
    match source.get(..offset) {
        Some(prefix) => prefix.chars().count() + 1,
        None => offset.min(source.len()) + 1,
    }
}

struct SuggestionSuffix<'a>(Option<&'a str>);

impl std::fmt::Display for SuggestionSuffix<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            None => Ok(()),
            Some(s) if s.contains('"') => write!(f, "; did you mean '{s}'?"),
            Some(s) => write!(f, "; did you mean \"{s}\"?"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_with_and_without_suggestion() {
        let e = RuleError::new(
            ErrorKind::UnknownProperty,
            "user.departmnet",
            Span::new(0, 15),
            "unknown property \"user.departmnet\"",
        );
        assert_eq!(
            e.to_string(),
            "column 1: unknown property \"user.departmnet\""
        );
        let e = e.with_suggestion(Some("user.department"));
        assert_eq!(
            e.to_string(),
            "column 1: unknown property \"user.departmnet\"; did you mean \"user.department\"?"
        );
        let e = e.with_suggestion(Some("\"Sales\""));
        assert!(e.to_string().ends_with("did you mean '\"Sales\"'?"));
    }

    #[test]
    fn column_counts_characters() {
        assert_eq!(column_of("a–b", 4), 3);
        assert_eq!(column_of("abc", 0), 1);
        // Not a char boundary: falls back without panicking.
        assert_eq!(column_of("a–b", 2), 3);
    }
}
