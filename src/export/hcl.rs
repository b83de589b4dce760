//! Writing HCL the way `terraform fmt` does: quoted strings with Terraform's escapes,
//! blocks indented by two spaces, and the `=` of neighbouring attributes aligned.

use std::fmt::Write;

/// A quoted HCL string: `"`, `\`, control characters, and the template sequences
/// `${` and `%{` escaped, so the value is taken literally.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One line in a block: an attribute, or text kept as it is (a nested block, a
/// comment). Attributes next to each other have their `=` aligned.
#[derive(Debug, Clone)]
pub enum Line {
    /// `name = value` (the value may span lines; only its first line is aligned).
    Attribute(String, String),
    /// Anything else, indented with the block.
    Raw(String),
}

/// A block: `kind "label" "label" {` … `}`.
#[derive(Debug, Clone, Default)]
pub struct BlockWriter {
    header: String,
    lines: Vec<Line>,
}

impl BlockWriter {
    /// A block with `kind` and quoted `labels`.
    pub fn new(kind: &str, labels: &[&str]) -> BlockWriter {
        let mut header = kind.to_owned();
        for label in labels {
            header.push(' ');
            header.push_str(&quote(label));
        }
        BlockWriter {
            header,
            lines: Vec::new(),
        }
    }

    /// Adds `name = value` (value as HCL source).
    pub fn attribute(mut self, name: &str, value: impl Into<String>) -> BlockWriter {
        self.lines
            .push(Line::Attribute(name.to_owned(), value.into()));
        self
    }

    /// Adds `name = "text"`.
    pub fn string(self, name: &str, text: &str) -> BlockWriter {
        self.attribute(name, quote(text))
    }

    /// Adds lines kept as they are (each indented with the block).
    pub fn raw(mut self, text: &str) -> BlockWriter {
        self.lines.push(Line::Raw(text.to_owned()));
        self
    }

    /// The block as HCL, indented by `indent` spaces.
    pub fn render(&self, indent: usize) -> String {
        let pad = " ".repeat(indent);
        let inner = " ".repeat(indent + 2);
        let mut out = format!("{pad}{} {{\n", self.header);
        let mut i = 0;
        while i < self.lines.len() {
            match &self.lines[i] {
                Line::Raw(text) => {
                    for line in text.lines() {
                        if line.is_empty() {
                            out.push('\n');
                        } else {
                            let _ = writeln!(out, "{inner}{line}");
                        }
                    }
                    i += 1;
                }
                Line::Attribute(name, value) if value.contains('\n') => {
                    // terraform fmt aligns no `=` with a value that spans lines.
                    let value = value.replace('\n', &format!("\n{inner}"));
                    let _ = writeln!(out, "{inner}{name} = {value}");
                    i += 1;
                }
                Line::Attribute(..) => {
                    // A run of one-line attributes: their `=` aligned.
                    let start = i;
                    while let Some(Line::Attribute(_, value)) = self.lines.get(i) {
                        if value.contains('\n') {
                            break;
                        }
                        i += 1;
                    }
                    let run = &self.lines[start..i];
                    let width = run
                        .iter()
                        .filter_map(|l| match l {
                            Line::Attribute(name, _) => Some(name.len()),
                            Line::Raw(_) => None,
                        })
                        .max()
                        .unwrap_or(0);
                    for line in run {
                        if let Line::Attribute(name, value) = line {
                            let _ = writeln!(out, "{inner}{name:width$} = {value}");
                        }
                    }
                }
            }
        }
        let _ = writeln!(out, "{pad}}}");
        out
    }
}

/// A list of quoted strings, one per line, each with an optional trailing comment:
/// `[\n  "a", # user\n]` (indented by the caller's block).
pub fn string_list(items: &[(String, Option<String>)]) -> String {
    if items.is_empty() {
        return "[]".to_owned();
    }
    let mut out = "[\n".to_owned();
    for (item, comment) in items {
        let _ = match comment {
            Some(c) => writeln!(out, "  {}, # {c}", quote(item)),
            None => writeln!(out, "  {},", quote(item)),
        };
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_taken_literally() {
        assert_eq!(quote("Finance"), "\"Finance\"");
        assert_eq!(
            quote("a \"b\" \\ ${x} %{y} $z\n"),
            "\"a \\\"b\\\" \\\\ $${x} %%{y} $z\\n\""
        );
        assert_eq!(quote("bell\u{7}"), "\"bell\\u0007\"");
    }

    #[test]
    fn neighbouring_attributes_align_as_terraform_fmt_does() {
        let block = BlockWriter::new("resource", &["entra_au_members", "x"])
            .attribute("administrative_unit_id", "entra_administrative_unit.x.id")
            .attribute(
                "member_ids",
                string_list(&[("a".into(), Some("user".into()))]),
            )
            .string("after", "z");
        assert_eq!(
            block.render(0),
            "resource \"entra_au_members\" \"x\" {\n  administrative_unit_id = entra_administrative_unit.x.id\n  member_ids = [\n    \"a\", # user\n  ]\n  after = \"z\"\n}\n"
        );
    }
}
