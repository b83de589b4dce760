//! OData query pieces: `$filter` expressions with correctly quoted literals, and
//! percent-encoded path segments and query values.

use std::fmt;

/// A `$filter` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter(String);

impl Filter {
    /// `field eq 'value'`.
    pub fn eq(field: &str, value: &str) -> Filter {
        Filter(format!("{field} eq {}", literal(value)))
    }

    /// `startsWith(field,'prefix')`.
    pub fn starts_with(field: &str, prefix: &str) -> Filter {
        Filter(format!("startsWith({field},{})", literal(prefix)))
    }

    /// `field eq true|false`.
    pub fn is(field: &str, value: bool) -> Filter {
        Filter(format!("{field} eq {value}"))
    }

    /// Both expressions.
    pub fn and(self, other: Filter) -> Filter {
        Filter(format!("{} and {}", self.0, other.0))
    }

    /// The expression, percent-encoded for a query string.
    pub fn encoded(&self) -> String {
        query(&self.0)
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A string literal: single quotes, inner quotes doubled.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Percent-encodes a path segment (ids are GUIDs, but never trust input).
pub(crate) fn segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// Percent-encodes a query parameter value.
pub(crate) fn query(text: &str) -> String {
    segment(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_quoted_and_expressions_encoded() {
        let f = Filter::eq("displayName", "O'Brien & Co").and(Filter::starts_with("x", "a b"));
        assert_eq!(
            f.to_string(),
            "displayName eq 'O''Brien & Co' and startsWith(x,'a b')"
        );
        assert_eq!(
            f.encoded(),
            "displayName%20eq%20%27O%27%27Brien%20%26%20Co%27%20and%20startsWith%28x%2C%27a%20b%27%29"
        );
        assert_eq!(
            Filter::is("isBuiltIn", false).to_string(),
            "isBuiltIn eq false"
        );
        assert_eq!(segment("a/b c"), "a%2Fb%20c");
    }
}
