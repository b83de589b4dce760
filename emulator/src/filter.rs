//! OData `$filter`: parser, evaluator, and Graph's per-property support rules
//! (default vs advanced query parameters; reference §2.6).

use serde_json::Value;

use crate::error::{AppError, AppResult};
use crate::store::{DirObject, ObjectKind, schema};

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// eq
    Eq,
    /// ne
    Ne,
    /// ge
    Ge,
    /// le
    Le,
    /// gt
    Gt,
    /// lt
    Lt,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Ge => "ge",
            Op::Le => "le",
            Op::Gt => "gt",
            Op::Lt => "lt",
        }
    }
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// 'text' (or an unquoted GUID)
    Str(String),
    /// true/false
    Bool(bool),
    /// null
    Null,
    /// number
    Num(f64),
}

/// Parsed filter expression.
#[derive(Debug, Clone)]
pub enum Expr {
    /// a and b
    And(Box<Expr>, Box<Expr>),
    /// a or b
    Or(Box<Expr>, Box<Expr>),
    /// not a
    Not(Box<Expr>),
    /// path op literal
    Cmp(String, Op, Lit),
    /// path in (literals)
    In(String, Vec<Lit>),
    /// startsWith / endsWith / contains (path, text)
    Func(String, String, String),
    /// path/any(var: body)
    Any(String, String, Box<Expr>),
}

/// A parsed, support-checked filter.
#[derive(Debug, Clone)]
pub struct Filter {
    expr: Expr,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    LParen,
    RParen,
    Comma,
    Colon,
}

fn syntax(text: &str, pos: usize) -> AppError {
    AppError::odata_bad_request(format!(
        "Invalid filter clause: Syntax error at position {pos} in '{text}'."
    ))
}

fn tokenize(text: &str) -> AppResult<Vec<(Tok, usize)>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push((Tok::LParen, i));
                i += 1;
            }
            ')' => {
                out.push((Tok::RParen, i));
                i += 1;
            }
            ',' => {
                out.push((Tok::Comma, i));
                i += 1;
            }
            ':' => {
                out.push((Tok::Colon, i));
                i += 1;
            }
            '\'' => {
                let start = i;
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(syntax(text, start)),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                out.push((Tok::Str(s), start));
            }
            c if c.is_ascii_digit() || c == '-' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || chars[i] == '-' || chars[i] == '.')
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if let Ok(n) = word.parse::<f64>() {
                    out.push((Tok::Num(n), start));
                } else if uuid::Uuid::parse_str(&word).is_ok() {
                    out.push((Tok::Str(word), start));
                } else {
                    return Err(syntax(text, start));
                }
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' || c == '@' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric()
                        || matches!(chars[i], '_' | '/' | '.' | '$' | '@' | '-'))
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if uuid::Uuid::parse_str(&word).is_ok() {
                    out.push((Tok::Str(word), start));
                } else {
                    out.push((Tok::Ident(word), start));
                }
            }
            _ => return Err(syntax(text, i)),
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    text: &'a str,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }

    fn err(&self) -> AppError {
        let at = self
            .toks
            .get(self.pos)
            .map_or(self.text.chars().count(), |(_, p)| *p);
        syntax(self.text, at)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).map(|(t, _)| t.clone());
        self.pos += 1;
        t
    }

    fn expect(&mut self, t: &Tok) -> AppResult<()> {
        if self.peek() == Some(t) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err())
        }
    }

    fn keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn or(&mut self) -> AppResult<Expr> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.pos += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> AppResult<Expr> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.pos += 1;
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> AppResult<Expr> {
        if self.keyword("not") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn literal(&mut self) -> AppResult<Lit> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(Lit::Str(s)),
            Some(Tok::Num(n)) => Ok(Lit::Num(n)),
            Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("true") => Ok(Lit::Bool(true)),
            Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("false") => Ok(Lit::Bool(false)),
            Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("null") => Ok(Lit::Null),
            _ => {
                self.pos -= 1;
                Err(self.err())
            }
        }
    }

    fn primary(&mut self) -> AppResult<Expr> {
        if self.peek() == Some(&Tok::LParen) {
            self.pos += 1;
            let e = self.or()?;
            self.expect(&Tok::RParen)?;
            return Ok(e);
        }
        let Some(Tok::Ident(word)) = self.next() else {
            self.pos = self.pos.saturating_sub(1);
            return Err(self.err());
        };
        let lower = word.to_ascii_lowercase();
        if matches!(lower.as_str(), "startswith" | "endswith" | "contains")
            && self.peek() == Some(&Tok::LParen)
        {
            self.pos += 1;
            let Some(Tok::Ident(path)) = self.next() else {
                return Err(self.err());
            };
            self.expect(&Tok::Comma)?;
            let Lit::Str(text) = self.literal()? else {
                return Err(self.err());
            };
            self.expect(&Tok::RParen)?;
            let name = match lower.as_str() {
                "startswith" => "startsWith",
                "endswith" => "endsWith",
                _ => "contains",
            };
            return Ok(Expr::Func(name.into(), path, text));
        }
        if let Some(coll) = word
            .strip_suffix("/any")
            .or_else(|| word.strip_suffix("/ANY"))
            && self.peek() == Some(&Tok::LParen)
        {
            self.pos += 1;
            let Some(Tok::Ident(var)) = self.next() else {
                return Err(self.err());
            };
            self.expect(&Tok::Colon)?;
            let body = self.or()?;
            self.expect(&Tok::RParen)?;
            return Ok(Expr::Any(coll.to_owned(), var, Box::new(body)));
        }
        if self.keyword("in") {
            self.pos += 1;
            self.expect(&Tok::LParen)?;
            let mut values = vec![self.literal()?];
            while self.peek() == Some(&Tok::Comma) {
                self.pos += 1;
                values.push(self.literal()?);
            }
            self.expect(&Tok::RParen)?;
            return Ok(Expr::In(word, values));
        }
        let op = match self.next() {
            Some(Tok::Ident(o)) => match o.to_ascii_lowercase().as_str() {
                "eq" => Op::Eq,
                "ne" => Op::Ne,
                "ge" => Op::Ge,
                "le" => Op::Le,
                "gt" => Op::Gt,
                "lt" => Op::Lt,
                _ => {
                    self.pos -= 1;
                    return Err(self.err());
                }
            },
            _ => {
                self.pos = self.pos.saturating_sub(1);
                return Err(self.err());
            }
        };
        let lit = self.literal()?;
        Ok(Expr::Cmp(word, op, lit))
    }
}

/// Parses `$filter` text.
pub fn parse(text: &str) -> AppResult<Expr> {
    let toks = tokenize(text)?;
    let mut p = Parser { toks, pos: 0, text };
    let e = p.or()?;
    if p.pos < p.toks.len() {
        return Err(p.err());
    }
    Ok(e)
}

/// Where a filter is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A top-level collection of `kind`.
    Collection(ObjectKind),
    /// An AU's `members` (mixed kinds); `Some(kind)` after a type cast.
    Members(Option<ObjectKind>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Support {
    Default,
    Advanced,
    Unsupported,
}

fn unsupported(prop: &str, resource: &str) -> AppError {
    AppError::unsupported_query(format!(
        "Unsupported or invalid query filter clause specified for property '{prop}' of resource '{resource}'."
    ))
}

fn needs_advanced(op: &str) -> AppError {
    AppError::unsupported_query(format!(
        "Operator '{op}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information"
    ))
}

const ENDSWITH_PROPS: &[&str] = &["mail", "otherMails", "userPrincipalName", "proxyAddresses"];

/// Graph's support for `op` on `prop` of an AU (reference §2.6 table).
fn au_support(prop: &str, op: &str, null: bool) -> Support {
    use Support::{Advanced, Default, Unsupported};
    // `ne` (and `not`) work wherever `eq` does, but only with advanced parameters.
    if op == "ne" {
        return match au_support(prop, "eq", null) {
            Unsupported => Unsupported,
            _ => Advanced,
        };
    }
    match (prop, op) {
        ("id", "eq" | "in") => Default,
        ("displayName", "eq" | "in") if null => Advanced,
        ("displayName", "eq" | "in" | "startsWith") => Default,
        ("displayName", "ge" | "le") => Advanced,
        ("description", "eq" | "in" | "startsWith") => Advanced,
        ("isMemberManagementRestricted", "eq" | "in") if !null => Default,
        ("membershipRule", "eq" | "in" | "startsWith") if !null => Default,
        ("membershipRuleProcessingState", "eq" | "in") if !null => Default,
        _ => Unsupported,
    }
}

fn generic_support(kind: ObjectKind, prop: &str, op: &str, null: bool) -> Support {
    use Support::{Advanced, Default, Unsupported};
    let root = prop.split('/').next().unwrap_or(prop);
    if root != "id" && schema::find(kind, root).is_none() {
        return Unsupported;
    }
    match op {
        "endsWith" if ENDSWITH_PROPS.contains(&root) => Advanced,
        "endsWith" | "contains" => Unsupported,
        _ if null => Advanced,
        "eq" | "in" | "startsWith" | "any" => Default,
        _ => Advanced,
    }
}

impl Filter {
    /// Parses `text` and checks it against Graph's rules for `target`.
    /// `advanced` = `ConsistencyLevel: eventual` plus `$count=true`.
    pub fn new(text: &str, target: Target, advanced: bool) -> AppResult<Filter> {
        let expr = parse(text)?;
        check(&expr, target, advanced, false)?;
        Ok(Filter { expr })
    }

    /// Parses `text` without Graph's per-property support checks (role resources).
    pub fn lenient(text: &str) -> AppResult<Filter> {
        Ok(Filter { expr: parse(text)? })
    }

    /// Whether `obj` satisfies the filter.
    pub fn matches(&self, obj: &DirObject) -> bool {
        eval(&self.expr, obj, None)
    }
}

fn check(e: &Expr, target: Target, advanced: bool, in_lambda: bool) -> AppResult<()> {
    let leaf = |prop: &str, op: &str, null: bool| -> AppResult<()> {
        let (support, resource) = match target {
            Target::Collection(ObjectKind::AdministrativeUnit) => {
                (au_support(prop, op, null), "AdministrativeUnit")
            }
            Target::Collection(k) => (generic_support(k, prop, op, null), k.resource_name()),
            Target::Members(cast) => {
                // Member filters: `id eq/in` works by default; anything else on the
                // members relationship needs advanced parameters (reference §2.6).
                let kind = cast.unwrap_or(ObjectKind::User);
                let base = if prop == "id" && matches!(op, "eq" | "in") && !null {
                    Support::Default
                } else {
                    match cast {
                        Some(k) => generic_support(k, prop, op, null).max(Support::Advanced),
                        None if matches!(prop, "id" | "displayName" | "description") => {
                            Support::Advanced
                        }
                        None => generic_support(kind, prop, op, null).max(Support::Advanced),
                    }
                };
                (base, "DirectoryObject")
            }
        };
        match support {
            Support::Default => Ok(()),
            Support::Advanced if advanced => Ok(()),
            Support::Advanced => Err(needs_advanced(op)),
            Support::Unsupported => Err(unsupported(prop, resource)),
        }
    };
    match e {
        Expr::And(a, b) | Expr::Or(a, b) => {
            check(a, target, advanced, in_lambda)?;
            check(b, target, advanced, in_lambda)
        }
        Expr::Not(inner) => {
            if !advanced {
                return Err(needs_advanced("not"));
            }
            check(inner, target, advanced, in_lambda)
        }
        Expr::Cmp(path, op, lit) => {
            if in_lambda {
                return Ok(());
            }
            if *op == Op::Ne && !advanced {
                return Err(needs_advanced("ne"));
            }
            leaf(path, op.name(), *lit == Lit::Null)
        }
        Expr::In(path, _) => {
            if in_lambda {
                return Ok(());
            }
            leaf(path, "in", false)
        }
        Expr::Func(name, path, _) => {
            if in_lambda {
                return Ok(());
            }
            leaf(path, name, false)
        }
        Expr::Any(path, _, body) => {
            leaf(path, "any", false)?;
            check(body, target, advanced, true)
        }
    }
}

fn lookup<'a>(obj: &'a DirObject, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('/');
    let first = parts.next()?;
    let mut cur = obj.props.get(first)?;
    for p in parts {
        cur = cur.get(p)?;
    }
    Some(cur)
}

fn value_of(obj: &DirObject, path: &str, var: Option<(&str, &Value)>) -> Value {
    if let Some((name, v)) = var {
        if path == name {
            return v.clone();
        }
        if let Some(rest) = path.strip_prefix(name).and_then(|r| r.strip_prefix('/')) {
            return v.get(rest).cloned().unwrap_or(Value::Null);
        }
    }
    if path == "id" {
        return Value::String(obj.id.clone());
    }
    lookup(obj, path).cloned().unwrap_or(Value::Null)
}

fn cmp_values(v: &Value, op: Op, lit: &Lit) -> bool {
    use std::cmp::Ordering;
    let ord = match (v, lit) {
        (Value::Null, Lit::Null) => Some(Ordering::Equal),
        (Value::Null, _) | (_, Lit::Null) => None,
        (Value::String(a), Lit::Str(b)) => Some(a.to_lowercase().cmp(&b.to_lowercase())),
        (Value::Bool(a), Lit::Bool(b)) => Some(a.cmp(b)),
        (Value::Number(a), Lit::Num(b)) => a.as_f64().and_then(|a| a.partial_cmp(b)),
        _ => None,
    };
    match op {
        Op::Eq => ord == Some(Ordering::Equal),
        Op::Ne => ord != Some(Ordering::Equal),
        Op::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        Op::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
        Op::Gt => ord == Some(Ordering::Greater),
        Op::Lt => ord == Some(Ordering::Less),
    }
}

fn eval(e: &Expr, obj: &DirObject, var: Option<(&str, &Value)>) -> bool {
    match e {
        Expr::And(a, b) => eval(a, obj, var) && eval(b, obj, var),
        Expr::Or(a, b) => eval(a, obj, var) || eval(b, obj, var),
        Expr::Not(a) => !eval(a, obj, var),
        Expr::Cmp(path, op, lit) => cmp_values(&value_of(obj, path, var), *op, lit),
        Expr::In(path, lits) => {
            let v = value_of(obj, path, var);
            lits.iter().any(|l| cmp_values(&v, Op::Eq, l))
        }
        Expr::Func(name, path, text) => {
            let v = value_of(obj, path, var);
            let Some(s) = v.as_str() else { return false };
            let (s, t) = (s.to_lowercase(), text.to_lowercase());
            match name.as_str() {
                "startsWith" => s.starts_with(&t),
                "endsWith" => s.ends_with(&t),
                _ => s.contains(&t),
            }
        }
        Expr::Any(path, name, body) => match value_of(obj, path, var) {
            Value::Array(items) => items
                .iter()
                .any(|item| eval(body, obj, Some((name.as_str(), item)))),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(props: Value) -> DirObject {
        DirObject::new(
            "c0ffee00-0000-4000-8000-000000000123".into(),
            ObjectKind::User,
            props.as_object().cloned().unwrap_or_default(),
        )
    }

    fn matches(text: &str, props: Value) -> bool {
        Filter::lenient(text).unwrap().matches(&obj(props))
    }

    #[test]
    fn evaluates_operators_case_insensitively() {
        let u = json!({"displayName": "Adele Vance", "department": "Sales", "accountEnabled": true,
            "proxyAddresses": ["SMTP:adele@contoso.com"], "onPremisesExtensionAttributes": {"extensionAttribute1": "FTE"}});
        assert!(matches("displayName eq 'adele vance'", u.clone()));
        assert!(matches(
            "startsWith(displayName,'Ad') and department in ('Sales','HR')",
            u.clone()
        ));
        assert!(matches(
            "not (department eq 'HR') or accountEnabled eq false",
            u.clone()
        ));
        assert!(matches(
            "proxyAddresses/any(p:startsWith(p,'smtp:'))",
            u.clone()
        ));
        assert!(matches(
            "onPremisesExtensionAttributes/extensionAttribute1 eq 'FTE'",
            u.clone()
        ));
        assert!(matches(
            "id eq 'c0ffee00-0000-4000-8000-000000000123'",
            u.clone()
        ));
        assert!(matches("jobTitle eq null", u.clone()));
        assert!(!matches("department ne 'Sales'", u));
    }

    #[test]
    fn reports_syntax_errors_with_positions() {
        let e = parse("displayName eq").unwrap_err();
        assert_eq!(e.code, "BadRequest");
        assert!(e.message.contains("position"));
        assert!(parse("displayName eq 'unterminated").is_err());
        assert!(parse("(displayName eq 'x'").is_err());
    }

    #[test]
    fn applies_the_au_support_table() {
        let au = Target::Collection(ObjectKind::AdministrativeUnit);
        assert!(Filter::new("displayName eq 'x'", au, false).is_ok());
        assert!(Filter::new("description eq 'x'", au, false).is_err());
        assert!(Filter::new("description eq 'x'", au, true).is_ok());
        assert!(Filter::new("displayName eq null", au, false).is_err());
        assert!(Filter::new("visibility eq 'Public'", au, true).is_err());
        assert!(Filter::new("membershipRuleProcessingState eq 'On'", au, false).is_ok());
    }
}
