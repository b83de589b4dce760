//! Minimal UTC date-times and ISO 8601 durations (no external time crate).

use std::fmt;

/// An instant in UTC, as seconds since the Unix epoch plus nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    /// Whole seconds since 1970-01-01T00:00:00Z (negative before).
    pub unix_seconds: i64,
    /// Nanoseconds within the second, `0..1_000_000_000`.
    pub nanos: u32,
}

impl DateTime {
    /// The instant `unix_seconds` after the epoch.
    pub const fn from_unix_seconds(unix_seconds: i64) -> Self {
        Self {
            unix_seconds,
            nanos: 0,
        }
    }

    /// Parses `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]` (no offset means UTC).
    pub fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        let year = digits(b, 0, 4)?;
        if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return None;
        }
        let month = digits(b, 5, 2)?;
        let day = digits(b, 8, 2)?;
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        let days = days_from_civil(year, month, day);
        if b.len() == 10 {
            return Some(Self::from_unix_seconds(days * 86_400));
        }
        if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
            return None;
        }
        let hour = digits(b, 11, 2)?;
        if b.get(13) != Some(&b':') {
            return None;
        }
        let minute = digits(b, 14, 2)?;
        let mut pos = 16;
        let mut second = 0;
        let mut nanos = 0u32;
        if b.get(pos) == Some(&b':') {
            second = digits(b, pos + 1, 2)?;
            pos += 3;
            if b.get(pos) == Some(&b'.') {
                pos += 1;
                let start = pos;
                let mut scale = 100_000_000u32;
                while let Some(d) = b.get(pos).filter(|c| c.is_ascii_digit()) {
                    nanos += u32::from(d - b'0') * scale;
                    scale /= 10;
                    pos += 1;
                }
                if pos == start {
                    return None;
                }
            }
        }
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        let offset = match b.get(pos) {
            None => 0,
            Some(b'Z' | b'z') if pos + 1 == b.len() => 0,
            Some(sign @ (b'+' | b'-')) => {
                let oh = digits(b, pos + 1, 2)?;
                let rest = if b.get(pos + 3) == Some(&b':') {
                    pos + 4
                } else {
                    pos + 3
                };
                let om = digits(b, rest, 2)?;
                if rest + 2 != b.len() || oh > 23 || om > 59 {
                    return None;
                }
                let secs = oh * 3600 + om * 60;
                if *sign == b'+' { secs } else { -secs }
            }
            Some(_) => return None,
        };
        let unix_seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset;
        Some(Self {
            unix_seconds,
            nanos,
        })
    }

    /// Shifts the instant by a duration (calendar-aware for years and months).
    pub fn checked_add(self, duration: &IsoDuration) -> Option<Self> {
        let sign: i64 = if duration.negative { -1 } else { 1 };
        let days = self.unix_seconds.div_euclid(86_400);
        let secs_of_day = self.unix_seconds.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let months = i64::from(duration.years)
            .checked_mul(12)?
            .checked_add(i64::from(duration.months))?
            .checked_mul(sign)?;
        let total_months = (y.checked_mul(12)?)
            .checked_add(m - 1)?
            .checked_add(months)?;
        let ny = total_months.div_euclid(12);
        let nm = total_months.rem_euclid(12) + 1;
        let nd = d.min(days_in_month(ny, nm));
        let base = days_from_civil(ny, nm, nd)
            .checked_mul(86_400)?
            .checked_add(secs_of_day)?;
        let shift = (i64::from(duration.weeks) * 7 + i64::from(duration.days))
            .checked_mul(86_400)?
            .checked_add(i64::from(duration.hours) * 3600)?
            .checked_add(i64::from(duration.minutes) * 60)?
            .checked_add(i64::from(duration.seconds))?
            .checked_mul(sign)?;
        Some(Self {
            unix_seconds: base.checked_add(shift)?,
            nanos: self.nanos,
        })
    }
}

impl fmt::Display for DateTime {
    /// Prints `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.unix_seconds.div_euclid(86_400);
        let secs = self.unix_seconds.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )?;
        if self.nanos > 0 {
            let frac = format!("{:09}", self.nanos);
            write!(f, ".{}", frac.trim_end_matches('0'))?;
        }
        f.write_str("Z")
    }
}

/// An ISO 8601 duration such as `P1D` or `-PT12H`, as used after `system.now -plus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct IsoDuration {
    /// A leading `-` (subtract instead of add).
    pub negative: bool,
    /// `nY`
    pub years: u32,
    /// `nM` before `T`
    pub months: u32,
    /// `nW`
    pub weeks: u32,
    /// `nD`
    pub days: u32,
    /// `nH`
    pub hours: u32,
    /// `nM` after `T`
    pub minutes: u32,
    /// `nS`
    pub seconds: u32,
}

impl IsoDuration {
    /// Parses `[-]P[nY][nM][nW][nD][T[nH][nM][nS]]`, case-insensitively.
    pub fn parse(text: &str) -> Option<Self> {
        let mut d = IsoDuration::default();
        let mut rest = text;
        if let Some(r) = rest.strip_prefix('-') {
            d.negative = true;
            rest = r;
        }
        rest = rest.strip_prefix(['P', 'p'])?;
        let mut in_time = false;
        let mut any = false;
        let mut time_parts = 0;
        let mut order = 0;
        let mut num = String::new();
        for c in rest.chars() {
            if c.is_ascii_digit() {
                num.push(c);
                continue;
            }
            let upper = c.to_ascii_uppercase();
            if upper == 'T' && num.is_empty() && !in_time {
                in_time = true;
                order = 4;
                continue;
            }
            if num.is_empty() {
                return None;
            }
            let value: u32 = num.parse().ok()?;
            num.clear();
            let (slot, rank) = match (in_time, upper) {
                (false, 'Y') => (&mut d.years, 0),
                (false, 'M') => (&mut d.months, 1),
                (false, 'W') => (&mut d.weeks, 2),
                (false, 'D') => (&mut d.days, 3),
                (true, 'H') => (&mut d.hours, 5),
                (true, 'M') => (&mut d.minutes, 6),
                (true, 'S') => (&mut d.seconds, 7),
                _ => return None,
            };
            if rank < order {
                return None;
            }
            order = rank + 1;
            *slot = value;
            any = true;
            if in_time {
                time_parts += 1;
            }
        }
        if !num.is_empty() || !any || (in_time && time_parts == 0) {
            return None;
        }
        if d.is_zero() {
            d.negative = false;
        }
        Some(d)
    }

    fn is_zero(&self) -> bool {
        [
            self.years,
            self.months,
            self.weeks,
            self.days,
            self.hours,
            self.minutes,
            self.seconds,
        ]
        .iter()
        .all(|v| *v == 0)
    }
}

impl fmt::Display for IsoDuration {
    /// Prints the canonical upper-case form, omitting zero parts (`P0D` when all are zero).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.write_str("P0D");
        }
        if self.negative {
            f.write_str("-")?;
        }
        f.write_str("P")?;
        for (v, unit) in [
            (self.years, 'Y'),
            (self.months, 'M'),
            (self.weeks, 'W'),
            (self.days, 'D'),
        ] {
            if v > 0 {
                write!(f, "{v}{unit}")?;
            }
        }
        if self.hours > 0 || self.minutes > 0 || self.seconds > 0 {
            f.write_str("T")?;
            for (v, unit) in [(self.hours, 'H'), (self.minutes, 'M'), (self.seconds, 'S')] {
                if v > 0 {
                    write!(f, "{v}{unit}")?;
                }
            }
        }
        Ok(())
    }
}

fn digits(b: &[u8], start: usize, len: usize) -> Option<i64> {
    let slice = b.get(start..start + len)?;
    slice.iter().try_fold(0i64, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_datetimes() {
        let t = DateTime::parse("2020-06-10T18:13:20Z").unwrap();
        assert_eq!(t.unix_seconds, 1_591_812_800);
        assert_eq!(t.to_string(), "2020-06-10T18:13:20Z");
        assert_eq!(DateTime::parse("1970-01-01").unwrap().unix_seconds, 0);
        let t = DateTime::parse("2020-06-10T20:13:20.5+02:00").unwrap();
        assert_eq!(t.to_string(), "2020-06-10T18:13:20.5Z");
        assert_eq!(
            DateTime::parse("1969-12-31T23:59:59Z")
                .unwrap()
                .unix_seconds,
            -1
        );
        for bad in [
            "2020-13-01",
            "2020-02-30",
            "2020-06-10T25:00",
            "2020-06-10X",
            "20-1-1",
            "2020-06-10T10:00:00Zx",
            "2020-06-10T10:00:00.",
        ] {
            assert!(DateTime::parse(bad).is_none(), "{bad}");
        }
        assert!(DateTime::parse("2024-02-29").is_some());
    }

    #[test]
    fn civil_roundtrip() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn durations() {
        let d = IsoDuration::parse("p1d").unwrap();
        assert_eq!(d.days, 1);
        assert_eq!(d.to_string(), "P1D");
        assert_eq!(
            IsoDuration::parse("-P1Y2M3W4DT5H6M7S").unwrap().to_string(),
            "-P1Y2M3W4DT5H6M7S"
        );
        assert_eq!(
            IsoDuration::parse("PT0S").unwrap(),
            IsoDuration::parse("P0D").unwrap()
        );
        for bad in [
            "P",
            "PT",
            "1D",
            "P1",
            "PD",
            "P1H",
            "PT1D",
            "P1D1Y",
            "P99999999999D",
        ] {
            assert!(IsoDuration::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn add_is_calendar_aware() {
        let t = DateTime::parse("2024-01-31T12:00:00Z").unwrap();
        let plus = |s: &str| {
            t.checked_add(&IsoDuration::parse(s).unwrap())
                .unwrap()
                .to_string()
        };
        assert_eq!(plus("P1M"), "2024-02-29T12:00:00Z");
        assert_eq!(plus("P1D"), "2024-02-01T12:00:00Z");
        assert_eq!(plus("-PT12H"), "2024-01-31T00:00:00Z");
        assert_eq!(plus("P1Y"), "2025-01-31T12:00:00Z");
        let far = IsoDuration {
            years: u32::MAX,
            ..IsoDuration::default()
        };
        assert!(t.checked_add(&far).is_some());
    }
}
