//! Dates as feeds write them, to UTC.
//!
//! Beside RFC 3339 and RFC 822, real feeds write ISO 8601 without a zone, `YYYY/M/D H:MM:SS`,
//! `YYYY-MM-DD HH:MM:SS`, bare dates, JavaScript's `Date.toString()`, asctime, named and military
//! zones, two-digit years, missing seconds, extra spaces and a trailing `(zone comment)`. A date
//! with no zone is read as UTC.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Which comes first in a feed's numeric `NN-NN-YYYY` dates, as its other dates settle it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DayOrder {
    DayFirst,
    MonthFirst,
}

/// The order a feed's dates settle: one whose first field is over 12 is day-first, one whose
/// second is, month-first; none, or both (a feed that contradicts itself), settle nothing.
pub(super) fn day_order<'a>(dates: impl Iterator<Item = &'a str>) -> Option<DayOrder> {
    let (mut day_first, mut month_first) = (false, false);
    for d in dates {
        if let Some((a, b, _, _)) = numeric_date(d.trim()) {
            day_first |= a > 12;
            month_first |= b > 12;
        }
    }
    match (day_first, month_first) {
        (true, false) => Some(DayOrder::DayFirst),
        (false, true) => Some(DayOrder::MonthFirst),
        _ => None,
    }
}

/// The date a feed wrote, in any of the forms above; `None` when no rule reads it.
#[cfg(test)]
pub(super) fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    parse_date_in(s, None)
}

/// [`parse_date`], with the order of day and month the feed's other dates settle for a
/// `03-11-2015 08:21:50 -0200` that does not settle it itself.
pub(super) fn parse_date_in(s: &str, order: Option<DayOrder>) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    // Most feeds' form: RFC 822 with a numeric zone, which chrono reads as the rules below do
    // (zone names and military letters are left to them: chrono takes the letters as UTC).
    let numeric_zone = s.len() > 5
        && s.is_char_boundary(s.len() - 5)
        && s[s.len() - 5..].starts_with(['+', '-'])
        && s[s.len() - 4..].bytes().all(|b| b.is_ascii_digit());
    if numeric_zone {
        if let Ok(d) = DateTime::parse_from_rfc2822(s) {
            return Some(d.with_timezone(&Utc));
        }
    }
    iso_like(s)
        .or_else(|| textual(s))
        .or_else(|| day_month_year(s, order))
}

/// [`parse_date_in`], saying in the log when no rule reads the text (the entry is then filed
/// under the time it was first seen).
pub(super) fn read_date(text: &str, feed: &str, order: Option<DayOrder>) -> Option<DateTime<Utc>> {
    let date = parse_date_in(text, order);
    if date.is_none() && !text.trim().is_empty() {
        tracing::warn!(
            feed,
            date = %crate::text::scrub::scrub_line(text),
            "no rule reads this date; the entry keeps the time it was first seen"
        );
    }
    date
}

/// `YYYY-MM-DD`, `YYYY/M/D`, `YYYY-MM`, each optionally followed (after `T` or spaces) by
/// `H:MM[:SS[.f]]` and a zone.
fn iso_like(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() < 7 || !b[..4].iter().all(u8::is_ascii_digit) || !matches!(b[4], b'-' | b'/') {
        return None;
    }
    let sep = char::from(b[4]);
    let split = s.find(['T', 't', ' ']).unwrap_or(s.len());
    let (date, rest) = s.split_at(split);
    let mut parts = date.split(sep);
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u32 = number(parts.next()?, 2)?;
    let day: u32 = match parts.next() {
        Some(d) => number(d, 2)?,
        None => 1,
    };
    if parts.next().is_some() {
        return None;
    }
    at_time(NaiveDate::from_ymd_opt(year, month, day)?, rest)
}

/// `day` at the time and zone in `rest` (`T08:00:00Z`, ` 08:00 +02:00`, nothing: midnight UTC).
fn at_time(day: NaiveDate, rest: &str) -> Option<DateTime<Utc>> {
    let rest = rest.trim_start_matches(['T', 't']).trim();
    if rest.is_empty() {
        return Some(day.and_time(NaiveTime::MIN).and_utc());
    }
    // The time runs up to the zone: `Z`, a sign, or a space before a zone name.
    let end = rest.find(['Z', 'z', '+', '-', ' ']).unwrap_or(rest.len());
    let time = clock(&rest[..end])?;
    let zone_text = rest[end..].trim();
    let offset =
        if rest[end..].starts_with(' ') && zone_text.starts_with(|c: char| c.is_ascii_digit()) {
            // `08:00:00 00:00`: the `+` a URL decoding turned into a space.
            numeric_zone(&format!("+{zone_text}"))?
        } else {
            zone(zone_text)?
        };
    local_to_utc(day.and_time(time), offset)
}

/// `NN-NN-YYYY` (or with `/` or `.`) at the start: its two fields, the year and the rest.
fn numeric_date(s: &str) -> Option<(u32, u32, i32, &str)> {
    let b = s.as_bytes();
    if b.len() < 10 || !matches!(b[2], b'-' | b'/' | b'.') || b[5] != b[2] {
        return None;
    }
    let (a, m, y) = (s.get(..2)?, s.get(3..5)?, s.get(6..10)?);
    if b.get(10).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some((
        number(a, 2)?,
        number(m, 2)?,
        number(y, 4)?.try_into().ok()?,
        &s[10..],
    ))
}

/// `03-11-2015 08:21:50 -0200`: day and month in the order the date itself settles (a field
/// over 12 is the day), else the one its feed's other dates settle; else unread, since a guess
/// would file the post months away.
fn day_month_year(s: &str, order: Option<DayOrder>) -> Option<DateTime<Utc>> {
    let (a, b, year, rest) = numeric_date(s)?;
    let (day, month) = if a > 12 {
        (a, b)
    } else if b > 12 {
        (b, a)
    } else {
        match order? {
            DayOrder::DayFirst => (a, b),
            DayOrder::MonthFirst => (b, a),
        }
    };
    if !rest.is_empty() && !rest.starts_with([' ', 'T', 't']) {
        return None;
    }
    at_time(NaiveDate::from_ymd_opt(year, month, day)?, rest)
}

/// The RFC 822 family and its relatives, read as tokens in any order: an optional weekday, a
/// month name, a day and a year (two or four digits), a `H:MM[:SS]` clock and a zone.
/// RFC 822 (`Sat, 6 Oct 2018 00:00 EST`), JavaScript (`Sat Oct 06 2018 00:00:00 GMT+0200
/// (CEST)`) and asctime (`Sat Oct  6 00:00:00 2018`) all fit.
fn textual(s: &str) -> Option<DateTime<Utc>> {
    // A trailing `(comment)` names the zone for people; the offset before it says it for us.
    let s = match (s.find('('), s.ends_with(')')) {
        (Some(open), true) => &s[..open],
        _ => s,
    };
    let mut month = None;
    let mut time = None;
    let mut offset = None;
    let mut numbers: Vec<&str> = Vec::new();
    for token in s
        .split([' ', ',', '\t', '\n', '\r'])
        .filter(|t| !t.is_empty())
    {
        if token.contains(':') && time.is_none() {
            // `00:00:00+0000` glued to its zone.
            // Bytes, not `token[1..]`: a token may start with a multi-byte character.
            let end = token
                .bytes()
                .skip(1)
                .position(|b| b == b'+' || b == b'-')
                .map_or(token.len(), |i| i + 1);
            time = Some(clock(&token[..end])?);
            if end < token.len() {
                offset = Some(zone(&token[end..])?);
            }
        } else if token.bytes().all(|b| b.is_ascii_digit()) {
            numbers.push(token);
        } else if let Some(m) = month_number(token).filter(|_| month.is_none()) {
            month = Some(m);
        } else if is_weekday(token) {
        } else if offset.is_none() {
            offset = Some(zone(token)?);
        } else {
            return None;
        }
    }
    let month = month?;
    let (day, year) = match numbers.as_slice() {
        [a, b] if a.len() == 4 => (*b, *a),
        [a, b] => (*a, *b),
        _ => return None,
    };
    let day: u32 = number(day, 2)?;
    let year: i32 = match year.len() {
        4 => year.parse().ok()?,
        // RFC 5322 4.3: 00-49 are 2000-2049, 50-99 are 1950-1999.
        2 => {
            let y: i32 = year.parse().ok()?;
            if y < 50 {
                2000 + y
            } else {
                1900 + y
            }
        }
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    local_to_utc(
        date.and_time(time.unwrap_or(NaiveTime::MIN)),
        offset.unwrap_or(0),
    )
}

/// A number of at most `max_len` digits.
fn number(s: &str, max_len: usize) -> Option<u32> {
    (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// `H:MM`, `H:MM:SS`, `H:MM:SS.fff`.
fn clock(s: &str) -> Option<NaiveTime> {
    let mut parts = s.split(':');
    let h = number(parts.next()?, 2)?;
    let m = number(parts.next()?, 2)?;
    let (sec, nano) = match parts.next() {
        None => (0, 0),
        Some(sec) => {
            let (whole, frac) = sec.split_once(['.', ',']).unwrap_or((sec, ""));
            let nano = if frac.is_empty() {
                0
            } else {
                let digits: String = frac.chars().take(9).collect();
                let n: u32 = digits.parse().ok()?;
                n * 10u32.pow(9 - u32::try_from(digits.len()).ok()?)
            };
            (number(whole, 2)?, nano)
        }
    };
    if parts.next().is_some() {
        return None;
    }
    // A leap second (`23:59:60`) is read as the last second of the minute.
    NaiveTime::from_hms_nano_opt(h, m, sec.min(59), nano)
}

/// A zone as seconds east of UTC: empty (UTC), `Z`, `+HH:MM`, `+HHMM`, `+HH`, `GMT+0200`, a
/// North American or European zone name, or an RFC 822 military letter.
fn zone(s: &str) -> Option<i32> {
    let s = s.trim();
    if s.is_empty() {
        return Some(0);
    }
    let upper = s.to_ascii_uppercase();
    for prefix in ["GMT", "UTC", "UT"] {
        if let Some(rest) = upper.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return numeric_zone(rest);
            }
        }
    }
    if s.starts_with(['+', '-']) {
        return numeric_zone(s);
    }
    let hours = match upper.as_str() {
        "Z" | "UT" | "UTC" | "GMT" | "WET" => 0,
        "EST" => -5,
        "EDT" => -4,
        "CST" => -6,
        "CDT" => -5,
        "MST" => -7,
        "MDT" => -6,
        "PST" => -8,
        "PDT" => -7,
        "AKST" => -9,
        "AKDT" => -8,
        "HST" => -10,
        "AST" => -4,
        "ADT" => -3,
        "BST" | "CET" | "WEST" => 1,
        "CEST" | "EET" => 2,
        "EEST" | "MSK" => 3,
        // RFC 822's military zones: A (-1) to M (-12) skipping J, N (+1) to Y (+12).
        m if m.len() == 1 => {
            let c = m.as_bytes()[0];
            match c {
                b'A'..=b'I' => -(i32::from(c - b'A') + 1),
                b'K'..=b'M' => -(i32::from(c - b'K') + 10),
                b'N'..=b'Y' => i32::from(c - b'N') + 1,
                _ => return None,
            }
        }
        _ => return None,
    };
    Some(hours * 3600)
}

/// `+HH:MM`, `+HHMM`, `+HH` (the sign included).
fn numeric_zone(s: &str) -> Option<i32> {
    let (sign, rest) = if let Some(rest) = s.strip_prefix('-') {
        (-1, rest)
    } else {
        (1, s.strip_prefix('+')?)
    };
    // Digits are checked before the split: any other character may be multi-byte.
    let digits: Vec<u32> = rest
        .chars()
        .filter(|c| *c != ':')
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()?;
    let (h, m) = match digits.as_slice() {
        [h] => (*h, 0),
        [h1, h2] => (h1 * 10 + h2, 0),
        [h1, h2, m1, m2] => (h1 * 10 + h2, m1 * 10 + m2),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * i32::try_from(h * 3600 + m * 60).ok()?)
}

fn local_to_utc(local: NaiveDateTime, offset: i32) -> Option<DateTime<Utc>> {
    let zone = FixedOffset::east_opt(offset)?;
    zone.from_local_datetime(&local)
        .single()
        .map(|d| d.with_timezone(&Utc))
}

fn month_number(token: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let t = token.trim_end_matches('.').to_ascii_lowercase();
    if t.len() < 3 {
        return None;
    }
    let i = MONTHS.iter().position(|m| t.starts_with(m))?;
    // "Sept", "September", "Oct." — but not a word that merely starts like a month.
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    (FULL[i].starts_with(&t)).then(|| u32::try_from(i + 1).ok())?
}

fn is_weekday(token: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let t = token.trim_end_matches('.').to_ascii_lowercase();
    t.len() >= 3 && DAYS.iter().any(|d| d.starts_with(&t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> Option<DateTime<Utc>> {
        Some(
            DateTime::parse_from_rfc3339(s)
                .unwrap_or_else(|e| panic!("{s}: {e}"))
                .with_timezone(&Utc),
        )
    }

    #[test]
    fn standard_forms() {
        assert_eq!(parse_date("2014-12-01"), utc("2014-12-01T00:00:00Z"));
        assert_eq!(parse_date("2014-12"), utc("2014-12-01T00:00:00Z"));
        assert_eq!(
            parse_date("2014-12-01T10:00:00+02:00"),
            utc("2014-12-01T08:00:00Z")
        );
        assert_eq!(
            parse_date("Mon, 01 Dec 2014 10:00:00 GMT"),
            utc("2014-12-01T10:00:00Z")
        );
        assert_eq!(
            parse_date("Mon, 01 Dec 2014 10:00:00 +0100"),
            utc("2014-12-01T09:00:00Z")
        );
        assert_eq!(parse_date("someday"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn forms_real_feeds_use() {
        for (text, want) in [
            // ISO 8601 without a zone is UTC; with fractions, without seconds.
            ("2018-10-06T21:30:00", "2018-10-06T21:30:00Z"),
            ("2018-10-06T21:30:00.123456", "2018-10-06T21:30:00.123456Z"),
            ("2018-10-06T21:30", "2018-10-06T21:30:00Z"),
            ("2018-10-06T21:30:00+0200", "2018-10-06T19:30:00Z"),
            ("2018-10-06T21:30:00-05", "2018-10-07T02:30:00Z"),
            // Slashes, single digits, a space before the time.
            ("2018/10/6 9:05:00", "2018-10-06T09:05:00Z"),
            ("2018/1/6", "2018-01-06T00:00:00Z"),
            ("2018-10-06 21:30:00", "2018-10-06T21:30:00Z"),
            ("2018-10-06 21:30:00 +01:00", "2018-10-06T20:30:00Z"),
            ("2018-10-06 21:30:00 UTC", "2018-10-06T21:30:00Z"),
            // JavaScript's Date.toString().
            ("Sat Oct 06 2018 00:00:00 GMT", "2018-10-06T00:00:00Z"),
            (
                "Sat Oct 06 2018 02:00:00 GMT+0200 (Central European Summer Time)",
                "2018-10-06T00:00:00Z",
            ),
            // asctime.
            ("Sat Oct  6 00:00:00 2018", "2018-10-06T00:00:00Z"),
            // RFC 822 with named zones, military letters, no seconds, two-digit years,
            // single-digit days, extra spaces, a trailing comment, no weekday, a wrong weekday.
            ("Sat, 06 Oct 2018 00:00:00 EST", "2018-10-06T05:00:00Z"),
            ("Sat, 06 Oct 2018 00:00:00 PDT", "2018-10-06T07:00:00Z"),
            ("Sat, 06 Oct 2018 00:00:00 Z", "2018-10-06T00:00:00Z"),
            ("Sat, 06 Oct 2018 00:00:00 A", "2018-10-06T01:00:00Z"),
            ("Sat, 06 Oct 2018 00:00:00 N", "2018-10-05T23:00:00Z"),
            ("Sat, 06 Oct 2018 23:15 GMT", "2018-10-06T23:15:00Z"),
            ("Sat, 06 Oct 18 10:00:00 GMT", "2018-10-06T10:00:00Z"),
            ("Wed, 06 Oct 99 10:00:00 GMT", "1999-10-06T10:00:00Z"),
            ("Sat, 6 Oct 2018 10:00:00 GMT", "2018-10-06T10:00:00Z"),
            (
                "Sat,  06  Oct   2018  10:00:00   GMT",
                "2018-10-06T10:00:00Z",
            ),
            (
                "Sat, 06 Oct 2018 10:00:00 +0000 (UTC)",
                "2018-10-06T10:00:00Z",
            ),
            ("06 Oct 2018 10:00:00 -0700", "2018-10-06T17:00:00Z"),
            ("Mon, 06 Oct 2018 10:00:00 GMT", "2018-10-06T10:00:00Z"),
            (
                "Saturday, 06 October 2018 10:00:00 GMT",
                "2018-10-06T10:00:00Z",
            ),
            ("6 Sept 2018", "2018-09-06T00:00:00Z"),
            ("Sat, 06 Oct 2018 10:00:00", "2018-10-06T10:00:00Z"),
            ("Sat, 06 Oct 2018 23:59:60 GMT", "2018-10-06T23:59:59Z"),
        ] {
            assert_eq!(parse_date(text), utc(want), "{text:?}");
        }
    }

    #[test]
    fn an_unreadable_date_is_logged_with_its_feed_and_text() {
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Buf(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Buf {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0
                    .lock()
                    .map_err(|_| std::io::ErrorKind::Other)?
                    .extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buf = Buf::default();
        let writer = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            assert_eq!(read_date("the other day", "https://e.org/feed", None), None);
            assert!(read_date("2018-10-06", "https://e.org/ok", None).is_some());
        });
        let log = String::from_utf8(buf.0.lock().map(|b| b.clone()).unwrap_or_default())
            .unwrap_or_default();
        assert!(log.contains("https://e.org/feed"), "{log}");
        assert!(log.contains("the other day"), "{log}");
        assert!(!log.contains("https://e.org/ok"), "{log}");
    }

    /// Issue 16 A10: a zone whose `+` a URL decoding made a space, and day-month-year dates
    /// with a numeric zone, in the order the date or its feed settles.
    #[test]
    fn broken_zones_and_day_month_year() {
        for (text, want) in [
            ("2011-09-16T08:00:00 00:00", "2011-09-16T08:00:00Z"),
            ("2011-09-16T08:00:00 05:30", "2011-09-16T02:30:00Z"),
            ("2011-09-16 08:00:00 0200", "2011-09-16T06:00:00Z"),
            // Settled by the date itself.
            ("13-11-2015 08:21:50 -0200", "2015-11-13T10:21:50Z"),
            ("11/13/2015 08:21:50 +0100", "2015-11-13T07:21:50Z"),
            ("13.11.2015", "2015-11-13T00:00:00Z"),
        ] {
            assert_eq!(parse_date(text), utc(want), "{text:?}");
        }
        // Not settled: unread alone, read in the order the feed's other dates settle.
        let ambiguous = "03-11-2015 08:21:50 -0200";
        assert_eq!(parse_date(ambiguous), None);
        for (feed, order, want) in [
            (
                ["03-11-2015 08:00:00 -0200", "28-10-2015 09:00:00 -0200"],
                DayOrder::DayFirst,
                "2015-11-03T10:21:50Z",
            ),
            (
                ["10/28/2015 09:00:00", "Mon, 01 Dec 2014 10:00:00 GMT"],
                DayOrder::MonthFirst,
                "2015-03-11T10:21:50Z",
            ),
        ] {
            assert_eq!(day_order(feed.into_iter()), Some(order));
            assert_eq!(parse_date_in(ambiguous, Some(order)), utc(want));
        }
        // A feed that says both, or neither, settles nothing.
        assert_eq!(day_order(["28-10-2015", "10/28/2015"].into_iter()), None);
        assert_eq!(day_order(["03-11-2015", "2015-11-28"].into_iter()), None);
        for bad in [
            "32-01-2015",
            "13-13-2015",
            "03-11-20155",
            "03-11-2015x",
            "3-11-2015",
        ] {
            assert_eq!(
                parse_date_in(bad, Some(DayOrder::DayFirst)),
                None,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn what_is_not_a_date_is_not_read() {
        for text in [
            "yesterday",
            "2018-13-01",
            "2018-02-30",
            "Sat, 32 Oct 2018 10:00:00 GMT",
            "Sat, 06 Oct 2018 25:00:00 GMT",
            "Sat, 06 Foo 2018 10:00:00 GMT",
            "Sat, 06 Oct 2018 10:00:00 XYZ",
            "Sat, 06 Oct 2018 10:00:00 +9900",
            "06 Oct",
            "Marchy 6 2018",
            "1 2 3",
            // A clock token that starts with a multi-byte character (once a panic).
            "\u{cc}014-12-01T00:00:00Z",
            "\u{e9}10:00+0200 6 Oct 2018",
            // A zone whose digits hold a multi-byte character (once a panic).
            "Sat, 06 Oct 2018 10:00:00 +\"\u{b5}{",
            "Sat, 06 Oct 2018 10:00:00+0\u{b5}0",
            "2018-10-06T10:00:00+\u{b5}00",
        ] {
            assert_eq!(parse_date(text), None, "{text:?}");
        }
    }

    /// One text of each form a rule reads, for the splice proptest to damage anywhere.
    const DATE_FORMS: [&str; 8] = [
        "Sat, 06 Oct 2018 10:00:00+02:00",
        "Sat, 06 Oct 2018 10:00:00 +0200",
        "Sat Oct 06 2018 00:00:00 GMT+0200 (CEST)",
        "Sat Oct  6 00:00:00 2018",
        "2018-10-06T10:00:00.123+02:00",
        "2018/10/6 10:00 -05",
        "06.10.2018 10:00:00 00:00",
        "6 Oct 2018 10:00 EST",
    ];

    /// Any character, often one that a date rule looks for or a multi-byte one.
    fn spliced_char() -> impl proptest::strategy::Strategy<Value = char> {
        proptest::prop_oneof![
            proptest::char::any(),
            proptest::sample::select(vec![
                '\u{b5}', '\u{20ac}', '+', '-', ':', '0', '9', ' ', 'T', 'Z'
            ]),
        ]
    }

    proptest::proptest! {
        // A case takes microseconds; many cases find the rare character that once panicked.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]

        #[test]
        fn any_text_is_read_or_refused_without_a_panic(text in "\\PC{0,40}") {
            let _ = parse_date(&text);
            let _ = parse_date_in(&text, Some(DayOrder::DayFirst));
        }

        #[test]
        fn date_shaped_text_with_characters_replaced_removed_or_inserted_never_panics(
            form in 0usize..DATE_FORMS.len(),
            edits in proptest::collection::vec((0usize..64, 0u8..3, spliced_char()), 1..5),
        ) {
            let mut text: Vec<char> = DATE_FORMS[form].chars().collect();
            for (at, kind, c) in edits {
                let at = at % (text.len() + 1);
                match kind {
                    0 if at < text.len() => text[at] = c,
                    1 if at < text.len() => { text.remove(at); }
                    _ => text.insert(at, c),
                }
            }
            let text: String = text.into_iter().collect();
            let _ = parse_date(&text);
            let _ = parse_date_in(&text, Some(DayOrder::DayFirst));
        }
    }
}
