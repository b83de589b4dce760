//! Terraform resource names from display names: readable, valid, stable, unique.

use std::collections::HashMap;

/// A valid Terraform name from `text`: lower case, letters transliterated where
/// common (ä → a, ß → ss), anything else becomes `_`; `fallback` when nothing is left,
/// and a leading digit gets `fallback_` in front.
pub fn slug(text: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let plain = transliterate(c);
        if plain.is_empty() {
            if !out.ends_with('_') {
                out.push('_');
            }
        } else {
            out.push_str(plain);
        }
    }
    let trimmed = out.trim_matches('_');
    if trimmed.is_empty() {
        return fallback.to_owned();
    }
    if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("{fallback}_{trimmed}");
    }
    trimmed.to_owned()
}

/// ASCII for one lower-case character: itself, a common transliteration, or `""`.
fn transliterate(c: char) -> &'static str {
    const LETTERS: &str = "abcdefghijklmnopqrstuvwxyz0123456789";
    if c.is_ascii_alphanumeric() {
        let i = LETTERS.find(c).unwrap_or(0);
        return &LETTERS[i..=i];
    }
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'æ' => "ae",
        'ç' | 'č' | 'ć' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'œ' => "oe",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => "u",
        'ý' | 'ÿ' => "y",
        'ß' => "ss",
        'ł' => "l",
        'ř' => "r",
        'š' | 'ś' => "s",
        'ž' | 'ź' | 'ż' => "z",
        'đ' | 'ð' => "d",
        'þ' => "th",
        _ => "",
    }
}

/// Hands out unique names: the first to ask for `base` gets it, later ones `base_2`,
/// `base_3`… Ask in a stable order (sorted) and the names are stable too.
#[derive(Debug, Default)]
pub struct Names {
    taken: HashMap<String, usize>,
}

impl Names {
    /// A unique name built from `base`.
    pub fn unique(&mut self, base: &str) -> String {
        let mut n = *self.taken.get(base).unwrap_or(&0);
        loop {
            n += 1;
            let candidate = if n == 1 {
                base.to_owned()
            } else {
                format!("{base}_{n}")
            };
            if !self.taken.contains_key(&candidate) {
                self.taken.insert(base.to_owned(), n);
                self.taken.insert(candidate.clone(), 1);
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_valid_readable_and_unique() {
        assert_eq!(slug("Seattle Office", "unit"), "seattle_office");
        assert_eq!(
            slug("Zürich – Finanzen & Steuern", "unit"),
            "zurich_finanzen_steuern"
        );
        assert_eq!(slug("St. Mary's Hospital", "unit"), "st_mary_s_hospital");
        assert_eq!(slug("2024 Intake", "unit"), "unit_2024_intake");
        assert_eq!(slug("東京", "unit"), "unit");
        assert_eq!(slug("Straße", "unit"), "strasse");
        let mut names = Names::default();
        assert_eq!(names.unique("site"), "site");
        assert_eq!(names.unique("site"), "site_2");
        assert_eq!(names.unique("site_2"), "site_2_2");
        assert_eq!(names.unique("site"), "site_3");
    }
}
