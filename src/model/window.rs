//! Release windows: when deploys to an environment are allowed, as days and hours in a time
//! zone (`mon-fri 09:00-17:00 Europe/Berlin`).

use super::Timestamp;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// One window, parsed from `<days> <HH:MM>-<HH:MM> <time zone>`.
#[derive(Debug, Clone)]
pub struct Window {
    pub text: String,
    /// Monday first.
    days: [bool; 7],
    /// Minutes after midnight; an end at or before the start crosses midnight.
    start: u32,
    end: u32,
    tz: jiff::tz::TimeZone,
}

fn day(name: &str) -> Option<usize> {
    DAYS.iter().position(|d| name.eq_ignore_ascii_case(d))
}

fn minutes(hhmm: &str) -> Option<u32> {
    let (h, m) = hhmm.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 || h == 24 && m == 0).then_some(h * 60 + m)
}

impl Window {
    /// Parses `mon-fri 09:00-17:00 Europe/Berlin`. Days: `mon`…`sun`, ranges (`mon-fri`,
    /// `fri-mon`), lists (`mon,wed,fri`) or `daily`; the end hour is exclusive (`24:00` allowed);
    /// the zone is an IANA name or `UTC`.
    pub fn parse(text: &str) -> Result<Window, String> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        let [days_text, hours, zone] = parts[..] else {
            return Err(
                "expected `<days> <HH:MM>-<HH:MM> <time zone>`, e.g. `mon-fri 09:00-17:00 Europe/Berlin`".into(),
            );
        };
        let mut days = [false; 7];
        for item in days_text.split(',') {
            if item.eq_ignore_ascii_case("daily") {
                days = [true; 7];
                continue;
            }
            let (a, b) = item.split_once('-').unwrap_or((item, item));
            let (Some(a), Some(b)) = (day(a), day(b)) else {
                return Err(format!(
                    "`{item}` is not a day or range of days (mon, tue, …, sun, daily)"
                ));
            };
            let mut d = a;
            loop {
                days[d] = true;
                if d == b {
                    break;
                }
                d = (d + 1) % 7;
            }
        }
        let (start, end) = hours
            .split_once('-')
            .and_then(|(s, e)| Some((minutes(s)?, minutes(e)?)))
            .ok_or_else(|| format!("`{hours}` is not a range of hours like 09:00-17:00"))?;
        if start == end || start == 24 * 60 {
            return Err(format!("`{hours}` is empty: the end must differ from the start"));
        }
        let tz = jiff::tz::TimeZone::get(zone).map_err(|_| format!("`{zone}` is not a known time zone"))?;
        Ok(Window {
            text: text.split_whitespace().collect::<Vec<_>>().join(" "),
            days,
            start,
            end,
            tz,
        })
    }

    /// Whether `at` falls inside the window.
    pub fn contains(&self, at: Timestamp) -> bool {
        let Ok(ts) = jiff::Timestamp::from_second(at.seconds) else {
            return false;
        };
        let local = ts.to_zoned(self.tz.clone());
        let today = local.weekday().to_monday_zero_offset() as usize;
        let yesterday = (today + 6) % 7;
        let now = local.hour() as u32 * 60 + local.minute() as u32;
        if self.start < self.end {
            self.days[today] && (self.start..self.end).contains(&now)
        } else {
            // Crosses midnight: the evening part belongs to today, the morning part to yesterday.
            (self.days[today] && now >= self.start) || (self.days[yesterday] && now < self.end)
        }
    }
}

/// Whether `at` is inside any of `windows` (no windows: always).
pub fn open(windows: &[Window], at: Timestamp) -> bool {
    windows.is_empty() || windows.iter().any(|w| w.contains(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn office_hours_in_a_zone_with_summer_time() {
        let w = Window::parse("mon-fri 09:00-17:00 Europe/Berlin").unwrap();
        // Monday 2026-11-23, winter (UTC+1): 08:00 UTC is 09:00 local.
        assert!(w.contains(at("2026-11-23T08:00:00Z")));
        assert!(!w.contains(at("2026-11-23T07:59:59Z")));
        assert!(!w.contains(at("2026-11-23T16:00:00Z")));
        // Summer (UTC+2): 07:00 UTC is 09:00 local.
        assert!(w.contains(at("2026-07-06T07:00:00Z")));
        // Saturday.
        assert!(!w.contains(at("2026-11-21T10:00:00Z")));
    }

    #[test]
    fn windows_across_midnight_and_lists_of_days() {
        let w = Window::parse("fri 22:00-02:00 UTC").unwrap();
        assert!(w.contains(at("2026-11-20T23:00:00Z"))); // Friday night
        assert!(w.contains(at("2026-11-21T01:59:00Z"))); // Saturday morning, Friday's window
        assert!(!w.contains(at("2026-11-21T02:00:00Z")));
        assert!(!w.contains(at("2026-11-20T01:00:00Z"))); // Friday morning: Thursday's
        let w = Window::parse("sat,sun 00:00-24:00 UTC").unwrap();
        assert!(w.contains(at("2026-11-22T23:59:00Z")));
        assert!(!w.contains(at("2026-11-23T00:00:00Z")));
        assert!(open(&[], at("2026-11-23T00:00:00Z")));
    }

    #[test]
    fn malformed_windows_say_what_is_wrong() {
        for (text, want) in [
            ("mon-fri 09:00-17:00", "expected"),
            ("mon-frx 09:00-17:00 UTC", "`mon-frx` is not a day"),
            ("mon 9-17 UTC", "not a range of hours"),
            ("mon 09:00-25:00 UTC", "not a range of hours"),
            ("mon 09:00-17:00 Mars/Olympus", "not a known time zone"),
            ("sat 24:00-24:00 UTC", "is empty"),
            ("sat 09:00-09:00 UTC", "is empty"),
        ] {
            let e = Window::parse(text).unwrap_err();
            assert!(e.contains(want), "{text}: {e}");
        }
    }
}
