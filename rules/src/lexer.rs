//! Splits rule text into tokens.

use crate::ast::Span;
use crate::error::{ErrorKind, RuleError};

/// A token kind; payloads are already unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    /// A bare word: property, `null`, `true`, `and`, `Direct`, `system.now`, `p1d`, ...
    Word(String),
    /// `-name` (hyphen or typographic dash), stored without the dash.
    Dashed(String),
    /// A quoted string.
    Str(String),
    /// Unquoted text starting with a digit (or a sign and a digit): number or date.
    Number(String),
    Eof,
}

/// A token with its span.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) span: Span,
}

/// Dashes treated as `-`: en dash, em dash and minus sign, which appear in copied docs.
fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2013}' | '\u{2014}' | '\u{2212}')
}

fn is_word_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// Tokenizes the whole input, ending with [`Tok::Eof`].
pub(crate) fn lex(src: &str) -> Result<Vec<Token>, RuleError> {
    let mut tokens = Vec::new();
    let mut chars = src.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            ',' => Some(Tok::Comma),
            _ => None,
        };
        if let Some(tok) = single {
            chars.next();
            tokens.push(Token {
                tok,
                span: Span::new(start, start + 1),
            });
            continue;
        }
        let (tok, end) = if c == '"' || c == '\'' {
            lex_string(src, start, c)?
        } else if is_word_start(c) {
            let end = take_while(src, start, is_word_char);
            (Tok::Word(src[start..end].to_owned()), end)
        } else if c.is_ascii_digit() {
            let end = take_while(src, start, is_number_char);
            (Tok::Number(src[start..end].to_owned()), end)
        } else if is_dash(c) || c == '+' {
            lex_dashed(src, start, c)?
        } else {
            return Err(unexpected_char(src, start, c));
        };
        tokens.push(Token {
            tok,
            span: Span::new(start, end),
        });
        while chars.peek().is_some_and(|&(i, _)| i < end) {
            chars.next();
        }
    }
    tokens.push(Token {
        tok: Tok::Eof,
        span: Span::new(src.len(), src.len()),
    });
    Ok(tokens)
}

fn is_number_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '+' | '-')
}

/// Byte offset after the run of chars matching `pred` starting at `start`.
fn take_while(src: &str, start: usize, pred: fn(char) -> bool) -> usize {
    src[start..]
        .char_indices()
        .find(|&(_, c)| !pred(c))
        .map_or(src.len(), |(i, _)| start + i)
}

/// Lexes `-word`, a negative number, or a signed duration.
fn lex_dashed(src: &str, start: usize, dash: char) -> Result<(Tok, usize), RuleError> {
    let after = start + dash.len_utf8();
    match src[after..].chars().next() {
        Some(c) if c.is_ascii_alphabetic() && dash != '+' => {
            let end = take_while(src, after, |c| c.is_ascii_alphanumeric());
            Ok((Tok::Dashed(src[after..end].to_owned()), end))
        }
        Some(c) if c.is_ascii_digit() => {
            let end = take_while(src, after, is_number_char);
            let sign = if dash == '+' { "" } else { "-" };
            Ok((Tok::Number(format!("{sign}{}", &src[after..end])), end))
        }
        _ => Err(RuleError::new(
            ErrorKind::Syntax,
            src,
            Span::new(start, after),
            format!("expected an operator name after \"{dash}\", such as -eq"),
        )),
    }
}

/// Lexes a quoted string starting at `start`.
///
/// Double quotes escape `"` as `` `" ``; a backtick before anything else is kept.
/// Single quotes escape `'` by doubling it.
fn lex_string(src: &str, start: usize, quote: char) -> Result<(Tok, usize), RuleError> {
    let mut value = String::new();
    let mut it = src[start + 1..].char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let abs = start + 1 + i;
        if quote == '"' && c == '`' && it.peek().is_some_and(|&(_, n)| n == '"') {
            it.next();
            value.push('"');
        } else if c == quote {
            if quote == '\'' && it.peek().is_some_and(|&(_, n)| n == '\'') {
                it.next();
                value.push('\'');
            } else {
                return Ok((Tok::Str(value), abs + 1));
            }
        } else {
            value.push(c);
        }
    }
    Err(RuleError::new(
        ErrorKind::UnterminatedString,
        src,
        Span::new(start, src.len()),
        format!("unterminated string: add a closing {quote}"),
    ))
}

fn unexpected_char(src: &str, start: usize, c: char) -> RuleError {
    let span = Span::new(start, start + c.len_utf8());
    let (hint, suggestion) = match c {
        '\u{201C}' | '\u{201D}' | '\u{201E}' => ("; use a straight double quote", Some("\"")),
        '\u{2018}' | '\u{2019}' => ("; use a straight single quote", Some("'")),
        '=' => ("; comparisons use operators such as -eq", Some("-eq")),
        '!' => ("; comparisons use operators such as -ne", Some("-ne")),
        '&' => ("; combine conditions with -and", Some("-and")),
        '|' => ("; combine conditions with -or", Some("-or")),
        _ => ("", None),
    };
    let shown = if c.is_control() {
        format!("U+{:04X}", u32::from(c))
    } else {
        c.to_string()
    };
    RuleError::new(
        ErrorKind::Syntax,
        src,
        span,
        format!("unexpected character \"{shown}\"{hint}"),
    )
    .with_suggestion(suggestion)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn basic_tokens() {
        assert_eq!(
            toks("(user.department –eq \"Sales\")"),
            vec![
                Tok::LParen,
                Tok::Word("user.department".into()),
                Tok::Dashed("eq".into()),
                Tok::Str("Sales".into()),
                Tok::RParen,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(toks("\"a`\"b\""), vec![Tok::Str("a\"b".into()), Tok::Eof]);
        assert_eq!(toks("'it''s'"), vec![Tok::Str("it's".into()), Tok::Eof]);
        assert_eq!(toks("\"a`b\""), vec![Tok::Str("a`b".into()), Tok::Eof]);
        let e = lex("user.department -eq \"Sales").unwrap_err();
        assert_eq!(e.kind, ErrorKind::UnterminatedString);
        assert_eq!(e.column, 21);
    }

    #[test]
    fn numbers_dates_and_signs() {
        assert_eq!(
            toks("2020-06-10T18:13:20Z -5 -p1d"),
            vec![
                Tok::Number("2020-06-10T18:13:20Z".into()),
                Tok::Number("-5".into()),
                Tok::Dashed("p1d".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn unexpected_characters() {
        let e = lex("user.department == 'x'").unwrap_err();
        assert_eq!(e.column, 17);
        assert_eq!(e.suggestion.as_deref(), Some("-eq"));
        assert!(lex("a - b").is_err());
        assert!(lex("é").is_err());
        assert!(lex("–").is_err());
    }
}
