//! `$filter` tokenizer and recursive-descent parser. Nesting (parentheses, `not`,
//! lambda bodies) is bounded, so hostile filters get a 400 instead of overflowing the
//! stack; `and`/`or` chains are flat lists, so long chains nest nothing.

use super::ast::{Expr, Lit, Op};
use crate::error::{AppError, AppResult};

/// Deepest nesting of parentheses, `not` and lambda bodies accepted in `$filter`.
/// Graph's own limit is undocumented; OData parsers refuse deep recursion with "The
/// recursion limit has been exceeded.", which this mirrors.
pub const MAX_FILTER_DEPTH: usize = 100;

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
    depth: usize,
}

fn too_deep() -> AppError {
    AppError::odata_bad_request(format!(
        "Invalid filter clause: The recursion limit has been exceeded. The filter is nested more than {MAX_FILTER_DEPTH} levels deep."
    ))
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

    /// Enters one nesting level; 400 past [`MAX_FILTER_DEPTH`].
    fn enter(&mut self) -> AppResult<()> {
        self.depth += 1;
        if self.depth > MAX_FILTER_DEPTH {
            return Err(too_deep());
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Runs `inner` one nesting level deeper.
    fn nested<T>(&mut self, inner: impl FnOnce(&mut Self) -> AppResult<T>) -> AppResult<T> {
        self.enter()?;
        let r = inner(self);
        self.leave();
        r
    }

    fn or(&mut self) -> AppResult<Expr> {
        let mut items = vec![self.and()?];
        while self.keyword("or") {
            self.pos += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> AppResult<Expr> {
        let mut items = vec![self.unary()?];
        while self.keyword("and") {
            self.pos += 1;
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn unary(&mut self) -> AppResult<Expr> {
        if self.keyword("not") {
            self.pos += 1;
            let inner = self.nested(Self::unary)?;
            return Ok(Expr::Not(Box::new(inner)));
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
            let e = self.nested(Self::or)?;
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
            let body = self.nested(Self::or)?;
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
    let mut p = Parser {
        toks,
        pos: 0,
        text,
        depth: 0,
    };
    let e = p.or()?;
    if p.pos < p.toks.len() {
        return Err(p.err());
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_syntax_errors_with_positions() {
        let e = parse("displayName eq").unwrap_err();
        assert_eq!(e.code, "BadRequest");
        assert!(e.message.contains("position"));
        assert!(parse("displayName eq 'unterminated").is_err());
        assert!(parse("(displayName eq 'x'").is_err());
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        for n in [MAX_FILTER_DEPTH + 1, 2_000, 100_000] {
            let parens = format!("{}displayName eq 'x'{}", "(".repeat(n), ")".repeat(n));
            let nots = format!("{}displayName eq 'x'", "not ".repeat(n));
            let lambdas = format!("{}x eq 'y'{}", "a/any(x:".repeat(n), ")".repeat(n));
            for text in [parens, nots, lambdas] {
                let e = parse(&text).unwrap_err();
                assert_eq!(e.code, "BadRequest");
                assert!(e.message.contains("recursion limit"), "{}", e.message);
            }
        }
        let ok = format!(
            "{}displayName eq 'x'{}",
            "(".repeat(MAX_FILTER_DEPTH),
            ")".repeat(MAX_FILTER_DEPTH)
        );
        assert!(parse(&ok).is_ok());
        let chain = vec!["displayName eq 'x'"; 50_000].join(" and ");
        assert!(matches!(parse(&chain), Ok(Expr::And(items)) if items.len() == 50_000));
    }
}
