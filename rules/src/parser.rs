//! Recursive-descent parser producing a [`Rule`].
//!
//! Precedence, loosest first: `-or`, `-and`, `-not`, then comparisons and `-any`/`-all`.
//! Operators and connectives are case-insensitive and may omit the hyphen.
//! The body of `-any`/`-all` is either parenthesised (and may use `-and`/`-or`/`-not`)
//! or a single unparenthesised comparison such as `-any _ -startsWith "x"` [infer: the
//! docs list `-any`/`-all` as lowest precedence but only show these two forms].

use crate::ast::{CollectionTest, Comparison, Expr, Operator, Quantifier, Span, Spanned, Value};
use crate::error::{ErrorKind, RuleError};
use crate::lexer::{Tok, Token, lex};
use crate::properties::resolve;
use crate::rule::Rule;
use crate::suggest;
use crate::time::{DateTime, IsoDuration};

/// Maximum nesting of parentheses, `-not`, `-any` bodies and lists.
pub const MAX_DEPTH: usize = 64;

/// Parses rule text into a [`Rule`], stopping at the first syntax error.
///
/// Unknown property names are kept in the tree ([`crate::Property::Unknown`]) and
/// reported by [`crate::validate_for_administrative_unit`].
pub fn parse(text: &str) -> Result<Rule, RuleError> {
    let tokens = lex(text)?;
    let mut p = Parser {
        src: text,
        tokens,
        pos: 0,
        depth: 0,
    };
    if matches!(p.peek(), Tok::Eof) {
        let span = Span::new(0, text.len());
        return Err(RuleError::new(
            ErrorKind::Syntax,
            text,
            span,
            "the rule is empty",
        ));
    }
    let expr = p.parse_or()?;
    if !matches!(p.peek(), Tok::Eof) {
        let found = p.describe_current();
        return Err(p.error_here(
            ErrorKind::Syntax,
            format!("expected -and, -or or the end of the rule, found {found}"),
        ));
    }
    Ok(Rule::new(expr, text.to_owned()))
}

struct Parser<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

type PResult<T> = Result<T, RuleError>;

impl Parser<'_> {
    fn current(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek(&self) -> &Tok {
        self.current().map_or(&Tok::Eof, |t| &t.tok)
    }

    fn peek_at(&self, offset: usize) -> &Tok {
        self.tokens
            .get(self.pos + offset)
            .map_or(&Tok::Eof, |t| &t.tok)
    }

    fn span(&self) -> Span {
        self.current()
            .map_or(Span::new(self.src.len(), self.src.len()), |t| t.span)
    }

    fn advance(&mut self) -> Span {
        let span = self.span();
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        span
    }

    fn error_here(&self, kind: ErrorKind, message: impl Into<String>) -> RuleError {
        RuleError::new(kind, self.src, self.span(), message)
    }

    /// The current token as quoted source text, or "the end of the rule".
    fn describe_current(&self) -> String {
        if matches!(self.peek(), Tok::Eof) {
            return "the end of the rule".to_owned();
        }
        let span = self.span();
        let text = self.src.get(span.start..span.end).unwrap_or("");
        let mut shown: String = text.chars().take(40).collect();
        if shown.len() < text.len() {
            shown.push_str("...");
        }
        if matches!(self.peek(), Tok::Str(_)) {
            shown
        } else {
            format!("\"{shown}\"")
        }
    }

    /// Whether the current token is connective `word` (`-and` or `and`), ignoring case.
    fn at_keyword(&self, word: &str) -> bool {
        match self.peek() {
            Tok::Dashed(w) | Tok::Word(w) => w.eq_ignore_ascii_case(word),
            _ => false,
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_here(
                ErrorKind::TooDeep,
                format!("the rule nests more than {MAX_DEPTH} levels deep"),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn parse_or(&mut self) -> PResult<Spanned<Expr>> {
        self.parse_chain(Connective::Or, Self::parse_and)
    }

    fn parse_and(&mut self) -> PResult<Spanned<Expr>> {
        self.parse_chain(Connective::And, Self::parse_not)
    }

    /// Parses `operand (connective operand)*`, flattening nested chains of the same kind.
    fn parse_chain(
        &mut self,
        connective: Connective,
        operand: fn(&mut Self) -> PResult<Spanned<Expr>>,
    ) -> PResult<Spanned<Expr>> {
        let word = connective.word();
        let first = operand(self)?;
        if !self.at_keyword(word) {
            return Ok(first);
        }
        let mut span = first.span;
        let mut items = Vec::new();
        connective.push_flat(&mut items, first);
        while self.at_keyword(word) {
            self.advance();
            let next = operand(self)?;
            span = span.to(next.span);
            connective.push_flat(&mut items, next);
        }
        Ok(Spanned::new(connective.build(items), span))
    }

    fn parse_not(&mut self) -> PResult<Spanned<Expr>> {
        if !self.at_keyword("not") {
            return self.parse_primary();
        }
        let start = self.advance();
        self.enter()?;
        let inner = self.parse_not()?;
        self.leave();
        let span = start.to(inner.span);
        Ok(Spanned::new(Expr::Not(Box::new(inner)), span))
    }

    fn parse_primary(&mut self) -> PResult<Spanned<Expr>> {
        match self.peek().clone() {
            Tok::LParen => {
                let open = self.advance();
                self.enter()?;
                let inner = self.parse_or()?;
                self.leave();
                self.expect_close(open)?;
                Ok(inner)
            }
            Tok::Word(w)
                if w.eq_ignore_ascii_case("direct")
                    && matches!(self.peek_at(1), Tok::Word(r) if r.eq_ignore_ascii_case("reports")) =>
            {
                self.parse_direct_reports()
            }
            Tok::Word(w) if !is_reserved(&w) => {
                let span = self.advance();
                let property = Spanned::new(resolve(&w), span);
                self.parse_after_property(property)
            }
            _ => {
                let found = self.describe_current();
                Err(self.error_here(
                    ErrorKind::Syntax,
                    format!("expected a property such as user.department or \"(\", found {found}"),
                ))
            }
        }
    }

    fn expect_close(&mut self, open: Span) -> PResult<()> {
        if matches!(self.peek(), Tok::RParen) {
            self.advance();
            return Ok(());
        }
        let found = self.describe_current();
        let col = crate::error::column_of(self.src, open.start);
        Err(self
            .error_here(
                ErrorKind::Syntax,
                format!("expected \")\" to close the \"(\" at column {col}, found {found}"),
            )
            .with_suggestion(matches!(self.peek(), Tok::Eof).then_some(")")))
    }

    /// `Direct Reports for "<id>"`, keywords case-insensitive.
    fn parse_direct_reports(&mut self) -> PResult<Spanned<Expr>> {
        let start = self.advance();
        self.advance();
        if !matches!(self.peek(), Tok::Word(w) if w.eq_ignore_ascii_case("for")) {
            let found = self.describe_current();
            return Err(self
                .error_here(
                    ErrorKind::Syntax,
                    format!("expected \"for\" after \"Direct Reports\", found {found}"),
                )
                .with_suggestion(Some("for")));
        }
        self.advance();
        match self.peek().clone() {
            Tok::Str(id) => {
                let span = self.advance();
                Ok(Spanned::new(
                    Expr::DirectReports(Spanned::new(id, span)),
                    start.to(span),
                ))
            }
            _ => {
                let found = self.describe_current();
                Err(self.error_here(
                    ErrorKind::Syntax,
                    format!("expected the manager's object ID in quotes after \"Direct Reports for\", found {found}"),
                ))
            }
        }
    }

    fn parse_after_property(
        &mut self,
        property: Spanned<crate::ast::Property>,
    ) -> PResult<Spanned<Expr>> {
        let (word, dashed) = match self.peek() {
            Tok::Dashed(w) => (w.clone(), true),
            Tok::Word(w) if !w.contains('.') => (w.clone(), false),
            _ => return Err(self.expected_operator()),
        };
        if let Some(op) = Operator::from_word(&word) {
            let op_span = self.advance();
            let value = self.parse_value()?;
            let span = property.span.to(value.span);
            let cmp = Comparison {
                property,
                operator: Spanned::new(op, op_span),
                value,
            };
            return Ok(Spanned::new(Expr::Comparison(cmp), span));
        }
        let quantifier = if word.eq_ignore_ascii_case("any") {
            Some(Quantifier::Any)
        } else if word.eq_ignore_ascii_case("all") {
            Some(Quantifier::All)
        } else {
            None
        };
        if let Some(q) = quantifier {
            let q_span = self.advance();
            let condition = self.parse_collection_body()?;
            let span = property.span.to(condition.span);
            let test = CollectionTest {
                property,
                quantifier: Spanned::new(q, q_span),
                condition: Box::new(condition),
            };
            return Ok(Spanned::new(Expr::Collection(test), span));
        }
        if word.eq_ignore_ascii_case("not") {
            return Err(self
                .error_here(
                    ErrorKind::UnknownOperator,
                    "-not cannot be used as a comparison operator; to test for a missing value use -eq null, otherwise -ne",
                )
                .with_suggestion(Some("-ne")));
        }
        if dashed && matches!(word.to_ascii_lowercase().as_str(), "gt" | "lt") {
            let msg = format!("unsupported operator \"-{word}\": only -le and -ge compare dates");
            return Err(self
                .error_here(ErrorKind::UnknownOperator, msg)
                .with_suggestion(suggest::operator(&word)));
        }
        Err(self.expected_operator())
    }

    fn expected_operator(&self) -> RuleError {
        let found = self.describe_current();
        let suggestion = match self.peek() {
            Tok::Dashed(w) | Tok::Word(w) => suggest::operator(w),
            _ => None,
        };
        let kind = if matches!(self.peek(), Tok::Dashed(_)) {
            ErrorKind::UnknownOperator
        } else {
            ErrorKind::Syntax
        };
        self.error_here(
            kind,
            format!("expected an operator such as -eq, found {found}"),
        )
        .with_suggestion(suggestion)
    }

    fn parse_collection_body(&mut self) -> PResult<Spanned<Expr>> {
        self.enter()?;
        let body = if matches!(self.peek(), Tok::LParen) {
            let open = self.advance();
            let inner = self.parse_or()?;
            self.expect_close(open)?;
            inner
        } else {
            self.parse_not()?
        };
        self.leave();
        Ok(body)
    }

    fn parse_value(&mut self) -> PResult<Spanned<Value>> {
        match self.peek().clone() {
            Tok::Str(s) => Ok(Spanned::new(Value::String(s), self.advance())),
            Tok::LBracket => self.parse_array(),
            Tok::Number(n) => {
                if let Ok(v) = n.parse::<i64>() {
                    return Ok(Spanned::new(Value::Number(v), self.advance()));
                }
                if let Some(t) = DateTime::parse(&n) {
                    return Ok(Spanned::new(Value::DateTime(t), self.advance()));
                }
                Err(self.error_here(
                    ErrorKind::InvalidValue,
                    format!(
                        "\"{n}\" is neither an integer nor a date such as 2020-06-10T18:13:20Z"
                    ),
                ))
            }
            Tok::Word(w) => {
                let lower = w.to_ascii_lowercase();
                let value = match lower.as_str() {
                    "null" => Value::Null,
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "system.now" => return self.parse_now(),
                    _ => {
                        let found = self.describe_current();
                        let quoted = (!w.contains('.')).then(|| format!("\"{w}\""));
                        return Err(self
                            .error_here(ErrorKind::InvalidValue, format!("expected a value such as \"text\", null, true, a number, a date or a list, found {found}; strings need quotes"))
                            .with_suggestion(quoted));
                    }
                };
                Ok(Spanned::new(value, self.advance()))
            }
            _ => {
                let found = self.describe_current();
                Err(self.error_here(
                    ErrorKind::InvalidValue,
                    format!("expected a value such as \"text\", null, true, a number, a date or a list, found {found}"),
                ))
            }
        }
    }

    /// `system.now [-plus <duration>]`.
    fn parse_now(&mut self) -> PResult<Spanned<Value>> {
        let span = self.advance();
        if !self.at_keyword("plus") {
            return Ok(Spanned::new(Value::Now(None), span));
        }
        self.advance();
        let text = match self.peek() {
            Tok::Word(w) => Some(w.clone()),
            Tok::Dashed(w) => Some(format!("-{w}")),
            _ => None,
        };
        match text.as_deref().and_then(IsoDuration::parse) {
            Some(d) => {
                let end = self.advance();
                Ok(Spanned::new(Value::Now(Some(d)), span.to(end)))
            }
            None => {
                let found = self.describe_current();
                Err(self.error_here(
                    ErrorKind::InvalidValue,
                    format!("expected an ISO 8601 duration such as P1D or PT12H after -plus, found {found}"),
                ))
            }
        }
    }

    fn parse_array(&mut self) -> PResult<Spanned<Value>> {
        let open = self.advance();
        self.enter()?;
        let mut items = Vec::new();
        if !matches!(self.peek(), Tok::RBracket) {
            loop {
                items.push(self.parse_value()?);
                match self.peek() {
                    Tok::Comma => {
                        self.advance();
                    }
                    Tok::RBracket => break,
                    _ => {
                        let found = self.describe_current();
                        return Err(self.error_here(
                            ErrorKind::Syntax,
                            format!("expected \",\" or \"]\" in the list, found {found}"),
                        ));
                    }
                }
            }
        }
        self.leave();
        let close = self.advance();
        Ok(Spanned::new(Value::Array(items), open.to(close)))
    }
}

/// Words that cannot start a condition.
fn is_reserved(word: &str) -> bool {
    ["and", "or", "null", "true", "false"]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(word))
}

#[derive(Clone, Copy)]
enum Connective {
    And,
    Or,
}

impl Connective {
    fn word(self) -> &'static str {
        match self {
            Connective::And => "and",
            Connective::Or => "or",
        }
    }

    fn build(self, items: Vec<Spanned<Expr>>) -> Expr {
        match self {
            Connective::And => Expr::And(items),
            Connective::Or => Expr::Or(items),
        }
    }

    /// Appends `expr`, splicing in its operands when it is the same connective.
    fn push_flat(self, items: &mut Vec<Spanned<Expr>>, expr: Spanned<Expr>) {
        match (self, expr.node) {
            (Connective::And, Expr::And(children)) | (Connective::Or, Expr::Or(children)) => {
                items.extend(children);
            }
            (_, node) => items.push(Spanned::new(node, expr.span)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Property;

    fn root(s: &str) -> Expr {
        parse(s).unwrap().expr().node.clone()
    }

    #[test]
    fn precedence_and_flattening() {
        let Expr::Or(items) =
            root("user.city -eq 'a' -and user.state -eq 'b' -or user.country -eq 'c'")
        else {
            panic!("expected -or at the root");
        };
        assert_eq!(items.len(), 2);
        assert!(matches!(items[0].node, Expr::And(ref v) if v.len() == 2));
        let Expr::And(items) =
            root("(user.city -eq 'a' -and user.state -eq 'b') -and user.country -eq 'c'")
        else {
            panic!("expected -and at the root");
        };
        assert_eq!(items.len(), 3);
        let Expr::And(items) = root("-not user.city -eq 'a' -and user.state -eq 'b'") else {
            panic!("-not binds tighter than -and");
        };
        assert!(matches!(items[0].node, Expr::Not(_)));
    }

    #[test]
    fn spans_cover_source() {
        let rule = parse("  (user.city -eq \"a\")").unwrap();
        let Expr::Comparison(c) = &rule.expr().node else {
            panic!("comparison");
        };
        assert_eq!(rule.expr().span, Span::new(3, 20));
        assert_eq!(c.operator.span, Span::new(13, 16));
        assert_eq!(c.value.span, Span::new(17, 20));
        assert!(matches!(c.property.node, Property::Known(d) if d.name == "city"));
    }

    #[test]
    fn values() {
        let value = |s: &str| match root(&format!("user.employeeHireDate -eq {s}")) {
            Expr::Comparison(c) => c.value.node,
            other => panic!("{other:?}"),
        };
        assert_eq!(value("null"), Value::Null);
        assert_eq!(value("False"), Value::Bool(false));
        assert_eq!(value("-42"), Value::Number(-42));
        assert!(matches!(value("2020-06-10"), Value::DateTime(_)));
        assert!(matches!(value("SYSTEM.NOW"), Value::Now(None)));
        assert!(
            matches!(value("system.now -plus -p1d"), Value::Now(Some(d)) if d.negative && d.days == 1)
        );
        assert!(matches!(value("[1, 'a']"), Value::Array(v) if v.len() == 2));
    }

    #[test]
    fn direct_reports_and_errors() {
        assert!(
            matches!(root("DIRECT REPORTS FOR 'x'"), Expr::DirectReports(id) if id.node == "x")
        );
        let e = parse("user.city -eq 'a' -or").unwrap_err();
        assert_eq!(e.column, 22);
        assert!(e.message.contains("found the end of the rule"));
        let e = parse(&"(".repeat(MAX_DEPTH + 1)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::TooDeep);
        let e = parse(&"[".repeat(10_000)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Syntax);
        let e = parse(&format!("user.city -in {}", "[".repeat(10_000))).unwrap_err();
        assert_eq!(e.kind, ErrorKind::TooDeep);
    }
}
