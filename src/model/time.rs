//! Timestamps: seconds since the epoch with the writer's UTC offset; calendar, formatting and
//! parsing through `jiff`.

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

    /// In UTC, through jiff (the whole range git can write fits in jiff's years -9999..=9999;
    /// a second beyond it is shown at the range's edge).
    fn utc_datetime(&self) -> jiff::civil::DateTime {
        let ts = jiff::Timestamp::from_second(self.seconds).unwrap_or(if self.seconds < 0 {
            jiff::Timestamp::MIN
        } else {
            jiff::Timestamp::MAX
        });
        jiff::tz::Offset::UTC.to_datetime(ts)
    }

    fn format(&self, pattern: &str) -> String {
        jiff::fmt::strtime::format(pattern, self.utc_datetime()).unwrap_or_default()
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
        self.format("%Y-%m-%dT%H:%M:%SZ")
    }

    /// Compact, sortable and ref-safe: `20261122T003000Z` (used in record names).
    pub fn compact(&self) -> String {
        self.format("%Y%m%dT%H%M%SZ")
    }

    /// `2026-11-22 00:30` (UTC), for tables.
    pub fn short(&self) -> String {
        self.format("%Y-%m-%d %H:%M")
    }

    /// Parses RFC 3339 (`2026-11-22T00:30:00Z`, `…+02:00`, fractional seconds ignored)
    /// and the compact record form (`20261122T003000Z`).
    pub fn parse(text: &str) -> Option<Timestamp> {
        let t = text.trim();
        if t.len() == 16 && t.is_ascii() && t.as_bytes()[8] == b'T' && t.ends_with('Z') && !t.contains('-') {
            let at = jiff::fmt::strtime::parse("%Y%m%dT%H%M%SZ", t)
                .ok()?
                .to_datetime()
                .ok()?;
            return Self::at(at, jiff::tz::Offset::UTC);
        }
        // A date, a time and an offset (`Z` or numeric), nothing else: what jiff's Temporal
        // parser reads of RFC 3339 (it also takes `t`, a space, and fractional seconds).
        let pieces = jiff::fmt::temporal::Pieces::parse(t).ok()?;
        let (time, offset) = (pieces.time()?, pieces.offset()?);
        if pieces.time_zone_annotation().is_some() {
            return None;
        }
        Self::at(pieces.date().to_datetime(time), offset.to_numeric_offset())
    }

    /// The instant of the civil `at` at `offset`, in whole seconds.
    fn at(at: jiff::civil::DateTime, offset: jiff::tz::Offset) -> Option<Timestamp> {
        let ts = offset.to_timestamp(at).ok()?;
        Some(Timestamp {
            seconds: ts.as_second(),
            offset: offset.seconds(),
        })
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

        /// Timestamps come from record trailers, plan files and flags: any text is answered
        /// with a time or `None`, never a panic.
        #[test]
        fn any_text_parses_or_is_refused(text in "\\PC{0,40}", now in any::<i64>(), end in any::<bool>()) {
            let _ = Timestamp::parse(&text);
            let _ = Timestamp::parse_bound(&text, Timestamp::utc(now), end);
        }

        #[test]
        fn rfc3339_like_text_parses_or_is_refused(text in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})") {
            if let Some(t) = Timestamp::parse(&text) {
                // What parses formats back to the same instant.
                prop_assert_eq!(Timestamp::parse(&t.rfc3339()).unwrap().seconds, t.seconds);
            }
        }
    }
}
