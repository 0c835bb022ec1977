//! Timestamps: seconds since the epoch with the writer's UTC offset, formatted without a time library.

use std::fmt;

/// A point in time as git stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    pub seconds: i64,
    /// Offset of the writer's local time from UTC, in seconds (kept, but output is always UTC).
    pub offset: i32,
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.seconds.cmp(&other.seconds)
    }
}

/// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of a civil date (inverse of `civil_from_days`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl Timestamp {
    pub fn utc(seconds: i64) -> Self {
        Timestamp { seconds, offset: 0 }
    }

    /// The system clock, in UTC (the Unix epoch if the clock is before it).
    pub fn now() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Timestamp::utc(secs)
    }

    fn parts(&self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.seconds.div_euclid(86_400);
        let secs = self.seconds.rem_euclid(86_400);
        let (y, mo, d) = civil_from_days(days);
        (
            y,
            mo,
            d,
            (secs / 3600) as u32,
            (secs / 60 % 60) as u32,
            (secs % 60) as u32,
        )
    }

    /// How long from `self` to `later`, in words: `45 s`, `12 min`, `3 h 6 min`, `2 d 4 h`.
    pub fn span_to(&self, later: Timestamp) -> String {
        let s = (later.seconds - self.seconds).max(0);
        match (s / 86_400, s / 3600 % 24, s / 60 % 60) {
            (0, 0, 0) => format!("{s} s"),
            (0, 0, m) => format!("{m} min"),
            (0, h, m) => format!("{h} h {m} min"),
            (d, h, _) => format!("{d} d {h} h"),
        }
    }

    /// RFC 3339 in UTC: `2026-11-22T00:30:00Z`.
    pub fn rfc3339(&self) -> String {
        let (y, mo, d, h, mi, s) = self.parts();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }

    /// Compact, sortable and ref-safe: `20261122T003000Z` (used in record names).
    pub fn compact(&self) -> String {
        let (y, mo, d, h, mi, s) = self.parts();
        format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
    }

    /// `2026-11-22 00:30` (UTC), for tables.
    pub fn short(&self) -> String {
        let (y, mo, d, h, mi, _) = self.parts();
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}")
    }

    /// Parses RFC 3339 (`2026-11-22T00:30:00Z`, `…+02:00`, fractional seconds ignored)
    /// and the compact record form (`20261122T003000Z`).
    pub fn parse(text: &str) -> Option<Timestamp> {
        let t = text.trim();
        let digits = |s: &str| -> Option<i64> {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
        };
        let (date, time, zone): (&str, &str, &str);
        if t.len() == 16 && t.as_bytes()[8] == b'T' && t.ends_with('Z') && !t.contains('-') {
            let (y, mo, d) = (digits(&t[0..4])?, digits(&t[4..6])?, digits(&t[6..8])?);
            let (h, mi, s) = (digits(&t[9..11])?, digits(&t[11..13])?, digits(&t[13..15])?);
            return Self::from_parts(y, mo, d, h, mi, s, 0);
        }
        let sep = t.find(['T', 't', ' '])?;
        date = &t[..sep];
        let rest = &t[sep + 1..];
        let zpos = rest.find(['Z', 'z', '+', '-'])?;
        time = &rest[..zpos];
        zone = &rest[zpos..];
        let mut dp = date.split('-');
        let (y, mo, d) = (digits(dp.next()?)?, digits(dp.next()?)?, digits(dp.next()?)?);
        if dp.next().is_some() {
            return None;
        }
        let time = time.split('.').next()?;
        let mut tp = time.split(':');
        let (h, mi, s) = (digits(tp.next()?)?, digits(tp.next()?)?, digits(tp.next()?)?);
        if tp.next().is_some() {
            return None;
        }
        let offset = if zone.eq_ignore_ascii_case("z") {
            0
        } else {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let mut zp = zone[1..].split(':');
            let (zh, zm) = (digits(zp.next()?)?, digits(zp.next()?)?);
            if zh > 23 || zm > 59 {
                return None;
            }
            sign * (zh * 3600 + zm * 60)
        };
        Self::from_parts(y, mo, d, h, mi, s, offset)
    }

    /// A time bound for a filter (`--since`, `--until`): RFC 3339, a date `2024-01-15` (UTC;
    /// its first second, or with `end_of_day` its last), or an age relative to `now` (`90m`,
    /// `12h`, `7d`, `2w`). `None` when the text is none of these.
    pub fn parse_bound(text: &str, now: Timestamp, end_of_day: bool) -> Option<Timestamp> {
        let t = text.trim();
        if let Some(at) = Timestamp::parse(t) {
            return Some(at);
        }
        let bytes = t.as_bytes();
        if bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-' {
            let day = Timestamp::parse(&format!("{t}T00:00:00Z"))?;
            return Some(Timestamp::utc(day.seconds + if end_of_day { 86_399 } else { 0 }));
        }
        let split = t.find(|c: char| !c.is_ascii_digit())?;
        let (count, unit) = t.split_at(split);
        let count: i64 = count.parse().ok()?;
        let unit_seconds = match unit {
            "m" | "min" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            _ => return None,
        };
        let age = count.checked_mul(unit_seconds)?;
        Some(Timestamp::utc(now.seconds.checked_sub(age)?))
    }

    fn from_parts(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, offset: i64) -> Option<Timestamp> {
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
            return None;
        }
        let days = days_from_civil(y, mo as u32, d as u32);
        if civil_from_days(days) != (y, mo as u32, d as u32) {
            return None; // 31 February and friends
        }
        Some(Timestamp {
            seconds: days * 86_400 + h * 3600 + mi * 60 + s - offset,
            offset: offset as i32,
        })
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(Timestamp::utc(0).rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(Timestamp::utc(1_795_307_400).rfc3339(), "2026-11-22T00:30:00Z");
        assert_eq!(Timestamp::utc(1_795_307_400).compact(), "20261122T003000Z");
        assert_eq!(Timestamp::utc(951_782_400).rfc3339(), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn parses_rfc3339_offsets_and_compact() {
        assert_eq!(Timestamp::parse("2026-11-22T00:30:00Z").unwrap().seconds, 1_795_307_400);
        assert_eq!(
            Timestamp::parse("2026-11-22T02:30:00+02:00").unwrap().seconds,
            1_795_307_400
        );
        assert_eq!(
            Timestamp::parse("2026-11-22T00:30:00.123Z").unwrap().seconds,
            1_795_307_400
        );
        assert_eq!(Timestamp::parse("20261122T003000Z").unwrap().seconds, 1_795_307_400);
        for bad in [
            "",
            "2026-02-31T00:00:00Z",
            "2026-11-22",
            "yesterday",
            "2026-11-22T25:00:00Z",
        ] {
            assert!(Timestamp::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn spans_in_words() {
        let t = Timestamp::utc(1_000_000);
        let after = |s: i64| t.span_to(Timestamp::utc(1_000_000 + s));
        assert_eq!(after(45), "45 s");
        assert_eq!(after(12 * 60 + 5), "12 min");
        assert_eq!(after(3 * 3600 + 6 * 60), "3 h 6 min");
        assert_eq!(after(2 * 86_400 + 4 * 3600 + 59), "2 d 4 h");
        assert_eq!(after(-5), "0 s");
    }

    #[test]
    fn parses_filter_bounds() {
        let now = Timestamp::parse("2026-11-22T12:00:00Z").unwrap();
        let b = |s: &str, end: bool| Timestamp::parse_bound(s, now, end).map(|t| t.rfc3339());
        assert_eq!(b("2024-01-15", false).unwrap(), "2024-01-15T00:00:00Z");
        assert_eq!(b("2024-01-15", true).unwrap(), "2024-01-15T23:59:59Z");
        assert_eq!(b("2024-01-15T10:00:00+02:00", true).unwrap(), "2024-01-15T08:00:00Z");
        assert_eq!(b("7d", false).unwrap(), "2026-11-15T12:00:00Z");
        assert_eq!(b("12h", false).unwrap(), "2026-11-22T00:00:00Z");
        assert_eq!(b("2w", false).unwrap(), "2026-11-08T12:00:00Z");
        assert_eq!(b("90m", false).unwrap(), "2026-11-22T10:30:00Z");
        for bad in [
            "",
            "d",
            "7",
            "7y",
            "-7d",
            "2024-02-30",
            "yesterday",
            "99999999999999999999d",
        ] {
            assert!(b(bad, false).is_none(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn rfc3339_round_trips(secs in -62_135_596_800i64..253_402_300_799) {
            let t = Timestamp::utc(secs);
            prop_assert_eq!(Timestamp::parse(&t.rfc3339()).unwrap().seconds, secs);
            prop_assert_eq!(Timestamp::parse(&t.compact()).unwrap().seconds, secs);
        }
    }
}
