//! OData query options: parsing, `$select`, `$top`/`$skiptoken` paging, `$count`,
//! `$search` and the collection envelope.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::error::{AppError, AppResult};
use crate::filter::Filter;
use crate::store::{DirObject, ObjectKind, schema};

/// Default page size for directory collections.
pub const DEFAULT_PAGE: usize = 100;
/// Largest `$top` Graph accepts for directory collections.
pub const MAX_PAGE: usize = 999;

/// Parsed query options of one request.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Raw `key=value` pairs in order (decoded).
    pub raw: Vec<(String, String)>,
    /// `$select`.
    pub select: Option<Vec<String>>,
    /// `$top`.
    pub top: Option<usize>,
    /// `$skiptoken`.
    pub skiptoken: Option<String>,
    /// `$filter` text.
    pub filter: Option<String>,
    /// `$count=true`.
    pub count: bool,
    /// `$search` text (without surrounding quotes).
    pub search: Option<String>,
    /// `$orderby`.
    pub orderby: Option<String>,
    /// `$expand`.
    pub expand: Option<String>,
    /// `$id` (for `DELETE .../$ref?$id=`).
    pub id: Option<String>,
}

impl Query {
    /// Parses a raw query string.
    pub fn parse(raw: Option<&str>) -> AppResult<Query> {
        let mut q = Query::default();
        let Some(raw) = raw else { return Ok(q) };
        for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
            let (k, v) = (k.into_owned(), v.into_owned());
            let key = k.to_ascii_lowercase();
            let key = key
                .strip_prefix('$')
                .map_or(key.clone(), |s| format!("${s}"));
            match key.as_str() {
                "$select" => {
                    q.select = Some(
                        v.split(',')
                            .map(|s| s.trim().to_owned())
                            .filter(|s| !s.is_empty())
                            .collect(),
                    );
                }
                "$top" => {
                    let n: i64 = v.trim().parse().map_err(|_| {
                        AppError::odata_bad_request(format!(
                            "Invalid value '{v}' for $top query option found. The $top query option requires a non-negative integer value."
                        ))
                    })?;
                    if !(1..=i64::try_from(MAX_PAGE).unwrap_or(999)).contains(&n) {
                        return Err(AppError::bad_request(format!(
                            "Invalid page size specified: '{n}'. Must be between 1 and {MAX_PAGE} inclusive."
                        )));
                    }
                    q.top = usize::try_from(n).ok();
                }
                "$skiptoken" => q.skiptoken = Some(v.clone()),
                "$filter" => q.filter = Some(v.clone()),
                "$count" => {
                    q.count = match v.to_ascii_lowercase().as_str() {
                        "true" => true,
                        "false" => false,
                        _ => {
                            return Err(AppError::odata_bad_request(format!(
                                "Invalid value '{v}' for $count query option found. Valid values are 'true', 'false'."
                            )));
                        }
                    };
                }
                "$search" => {
                    q.search = Some(v.trim().trim_matches('"').to_owned());
                }
                "$orderby" => q.orderby = Some(v.clone()),
                "$expand" => q.expand = Some(v.clone()),
                "$id" => q.id = Some(v.clone()),
                "$skip" => {
                    return Err(AppError::bad_request(
                        "'$skip' is not supported by the service.",
                    ));
                }
                "$format" | "$apply" | "$levels" => {
                    return Err(AppError::odata_bad_request(format!(
                        "Query option '{k}' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings."
                    )));
                }
                _ => {}
            }
            q.raw.push((k, v));
        }
        Ok(q)
    }

    /// Checks `$select` names against `kind`.
    pub fn check_select(&self, kind: ObjectKind) -> AppResult<()> {
        if let Some(sel) = &self.select {
            for f in sel {
                if f != "*" && !schema::selectable(kind, f) {
                    return Err(AppError::odata_bad_request(format!(
                        "Could not find a property named '{f}' on type 'microsoft.graph.{}'.",
                        kind.type_name()
                    )));
                }
            }
        }
        Ok(())
    }

    /// The `$select` list, treating `*` as "all declared".
    pub fn select_list(&self) -> Option<Vec<String>> {
        self.select.as_ref().map(|s| {
            if s.iter().any(|f| f == "*") {
                Vec::new()
            } else {
                s.clone()
            }
        })
    }

    /// The page size to use.
    pub fn page_size(&self) -> usize {
        self.top.unwrap_or(DEFAULT_PAGE)
    }

    /// The query string without `$skiptoken`, re-encoded.
    pub fn without_skiptoken(&self) -> String {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.raw {
            if !k.eq_ignore_ascii_case("$skiptoken") {
                ser.append_pair(k, v);
            }
        }
        ser.finish()
    }
}

/// Encodes a paging position (the last id served) as an opaque token.
pub fn encode_skiptoken(last_id: &str) -> String {
    format!("RFNwdA{}", URL_SAFE_NO_PAD.encode(format!("emu:{last_id}")))
}

/// Decodes a token made by [`encode_skiptoken`].
pub fn decode_skiptoken(token: &str) -> AppResult<String> {
    token
        .strip_prefix("RFNwdA")
        .and_then(|t| URL_SAFE_NO_PAD.decode(t).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("emu:").map(str::to_owned))
        .ok_or_else(|| AppError::bad_request("Invalid skip token."))
}

/// Renders one object for a response: `$select` or the default projection.
pub fn render_object(obj: &DirObject, query: &Query) -> Map<String, Value> {
    let full = obj.full_json();
    match query.select_list() {
        Some(sel) if !sel.is_empty() => schema::render(obj.kind, &full, Some(&sel)),
        _ => schema::render(obj.kind, &full, None),
    }
}

/// A page of results and whether more remain.
#[derive(Debug)]
pub struct Page<'a> {
    /// Objects in this page.
    pub items: Vec<&'a DirObject>,
    /// Id of the last item when more remain.
    pub next_after: Option<String>,
    /// Total number of matches (for `@odata.count`).
    pub total: usize,
}

/// Filters, searches and pages `objects` (which must be in id order).
pub fn page<'a>(
    objects: impl Iterator<Item = &'a DirObject>,
    query: &Query,
    filter: Option<&Filter>,
) -> AppResult<Page<'a>> {
    let token = query
        .skiptoken
        .as_deref()
        .map(decode_skiptoken)
        .transpose()?;
    // Sorted listings page by position ("#offset"), others by the last id served.
    let offset = token
        .as_deref()
        .and_then(|t| t.strip_prefix('#'))
        .and_then(|n| n.parse::<usize>().ok());
    let after = if offset.is_some() { None } else { token };
    let search = query.search.as_deref().map(parse_search).transpose()?;
    let size = query.page_size();
    let mut items = Vec::new();
    let mut total = 0usize;
    let mut next_after = None;
    for obj in objects {
        if let Some(f) = filter
            && !f.matches(obj)
        {
            continue;
        }
        if let Some(s) = &search
            && !s.matches(obj)
        {
            continue;
        }
        let index = total;
        total += 1;
        if offset.is_some_and(|off| index < off) {
            continue;
        }
        if after.as_deref().is_some_and(|a| obj.id.as_str() <= a) {
            continue;
        }
        if items.len() < size {
            items.push(obj);
        } else if next_after.is_none() {
            next_after = if query.orderby.is_some() {
                Some(format!("#{}", offset.unwrap_or(0) + size))
            } else {
                items.last().map(|o: &&DirObject| o.id.clone())
            };
        }
    }
    Ok(Page {
        items,
        next_after,
        total,
    })
}

/// `$search="property:term"` clauses joined by AND/OR.
#[derive(Debug)]
pub struct Search {
    clauses: Vec<(String, String)>,
    any: bool,
}

/// Parses `$search` text (quotes already stripped at the ends).
pub fn parse_search(text: &str) -> AppResult<Search> {
    let mut clauses = Vec::new();
    let mut any = false;
    let normalized = text
        .replace("\" OR \"", "\u{1}")
        .replace("\" AND \"", "\u{2}");
    if normalized.contains('\u{1}') {
        any = true;
    }
    for part in normalized.split(['\u{1}', '\u{2}']) {
        let part = part.trim().trim_matches('"');
        let Some((prop, term)) = part.split_once(':') else {
            return Err(AppError::bad_request(
                "Syntax error: character ':' is not valid at position 0 in '$search'.",
            ));
        };
        clauses.push((prop.trim().to_owned(), term.trim().to_lowercase()));
    }
    Ok(Search { clauses, any })
}

impl Search {
    /// Whether `obj` matches: tokenized prefix match, case-insensitive.
    pub fn matches(&self, obj: &DirObject) -> bool {
        let test = |(prop, term): &(String, String)| {
            obj.str_prop(prop).is_some_and(|v| {
                let v = v.to_lowercase();
                v.starts_with(term.as_str())
                    || v.split(|c: char| !c.is_alphanumeric())
                        .any(|w| w.starts_with(term.as_str()))
                    || v.contains(term.as_str())
            })
        };
        if self.any {
            self.clauses.iter().any(test)
        } else {
            self.clauses.iter().all(test)
        }
    }
}

/// Builds `{"@odata.context", ["@odata.count"], "value", ["@odata.nextLink"]}`.
pub fn collection(
    context: String,
    value: Vec<Value>,
    count: Option<usize>,
    next_link: Option<String>,
) -> Value {
    let mut m = Map::new();
    m.insert("@odata.context".into(), Value::String(context));
    if let Some(c) = count {
        m.insert("@odata.count".into(), Value::from(c));
    }
    if let Some(n) = next_link {
        m.insert("@odata.nextLink".into(), Value::String(n));
    }
    m.insert("value".into(), Value::Array(value));
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skiptokens_round_trip_and_reject_garbage() {
        let t = encode_skiptoken("abc-123");
        assert_eq!(decode_skiptoken(&t).unwrap(), "abc-123");
        assert!(decode_skiptoken("nope").is_err());
    }

    #[test]
    fn parses_query_options() {
        let q = Query::parse(Some(
            "$top=5&$select=id,displayName&$count=true&$search=%22displayName:Sea%22",
        ))
        .unwrap();
        assert_eq!(q.top, Some(5));
        assert_eq!(
            q.select.as_deref(),
            Some(&["id".to_owned(), "displayName".to_owned()][..])
        );
        assert!(q.count);
        assert_eq!(q.search.as_deref(), Some("displayName:Sea"));
        assert!(Query::parse(Some("$top=1000")).is_err());
        assert!(Query::parse(Some("$top=abc")).is_err());
        assert!(Query::parse(Some("$count=maybe")).is_err());
        assert!(q.without_skiptoken().contains("top=5"));
    }
}
