//! Timestamps: UTC microseconds since the Unix epoch, parsed by hand from bytes.
//!
//! Every source writes its time differently (journal `short` without a year, RFC 3339 with
//! nanoseconds, CLF brackets, epoch seconds), but inside the pipeline a time is one `i64` of
//! microseconds in UTC plus the [`Precision`] the source had. Times are formatted only at the
//! output. Parsers here take `&[u8]` and return `None` on anything unexpected instead of panicking
//! (the parser fuzz targets and property tests reach them with arbitrary bytes).

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Microseconds per second.
pub const SECOND: i64 = 1_000_000;
/// Microseconds per millisecond.
pub const MILLI: i64 = 1_000;
/// 9999-12-31T23:59:59.999999Z, the latest time a four-digit year can write. Parsers reject
/// later times (from epoch counters or added durations), so correlation can add windows to any
/// event time without overflowing `i64`.
pub const MAX_TIME: i64 = 253_402_300_800 * SECOND - 1;

/// How finely a source resolved a time. CLF brackets and journal `short` are whole seconds, so
/// a second-precision time really means "somewhere in this second".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Second,
    Milli,
    Micro,
}

impl Precision {
    /// Returns the precision implied by the number of fraction digits after the seconds.
    pub fn from_fraction_digits(digits: usize) -> Precision {
        match digits {
            0 => Precision::Second,
            1..=3 => Precision::Milli,
            _ => Precision::Micro,
        }
    }
}

/// A calendar time without a zone, as written by sources that do not say their zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// Microseconds within the second.
    pub micros: u32,
}

impl Civil {
    /// Converts this civil time, read as UTC, to microseconds since the epoch. Returns `None`
    /// for a date or time that does not exist (Feb 30, hour 24).
    ///
    /// Every timestamp of every line passes through here, so the day count is computed with
    /// integer arithmetic instead of building chrono values; a property test checks it against
    /// chrono.
    pub fn to_utc_micros(self) -> Option<i64> {
        if !(1..=12).contains(&self.month)
            || self.day == 0
            || self.day > days_in_month(self.year, self.month)
            || self.hour > 23
            || self.minute > 59
            || self.second > 59
            || self.micros > 999_999
            || !(-262_000..=262_000).contains(&self.year)
        {
            return None;
        }
        let days = days_from_civil(i64::from(self.year), self.month, self.day);
        let seconds = days * 86_400 + i64::from(self.hour * 3600 + self.minute * 60 + self.second);
        Some(seconds * SECOND + i64::from(self.micros))
    }

    fn to_naive(self) -> Option<NaiveDateTime> {
        NaiveDate::from_ymd_opt(self.year, self.month, self.day)?.and_hms_micro_opt(
            self.hour,
            self.minute,
            self.second,
            self.micros,
        )
    }
}

/// Tells whether `year` is a leap year of the proleptic Gregorian calendar.
fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = if year >= 0 { year } else { year - 399 } / 400;
    let year_of_era = year - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The zone used for timestamps that carry none (`--tz`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Zone {
    #[default]
    Utc,
    Named(Tz),
}

impl Zone {
    /// Parses an IANA zone name such as `Europe/Berlin`, or `UTC`.
    pub fn parse(name: &str) -> Option<Zone> {
        if name.eq_ignore_ascii_case("utc") || name == "Z" {
            return Some(Zone::Utc);
        }
        name.parse::<Tz>().ok().map(Zone::Named)
    }

    /// Returns the zone's abbreviation at an instant (`CEST`, `EST`, `+03`), as journalctl prints
    /// it after a time, or `UTC`.
    pub fn abbreviation_at(self, micros: i64) -> Option<String> {
        match self {
            Zone::Utc => Some("UTC".to_string()),
            Zone::Named(tz) => {
                use chrono_tz::OffsetName;
                let instant = chrono::DateTime::from_timestamp_micros(micros)?.naive_utc();
                let offset = tz.offset_from_utc_datetime(&instant);
                offset.abbreviation().map(str::to_string)
            }
        }
    }

    /// Converts a local civil time in this zone to UTC microseconds.
    ///
    /// A local time repeated by a DST change (the hour after clocks go back) resolves to its
    /// earlier instant, and a local time skipped by a DST change (clocks go forward) is read
    /// with the offset in force before the change, which places it after the gap.
    pub fn to_utc_micros(self, civil: Civil) -> Option<i64> {
        self.to_utc_micros_in_fold(civil, Fold::Earlier)
    }

    /// Converts a local civil time in this zone to UTC microseconds, reading a local time
    /// repeated by a DST change as the instant `fold` names. Other times convert as in
    /// [`Zone::to_utc_micros`].
    pub fn to_utc_micros_in_fold(self, civil: Civil, fold: Fold) -> Option<i64> {
        self.convert(civil, |earlier, later| match fold {
            Fold::Earlier => earlier,
            Fold::Later => later,
        })
    }

    /// Converts a local civil time that journalctl printed with the zone's abbreviation after
    /// it (`CEST`, `CET`, or a numeric one such as `+03`). A local time repeated by a DST
    /// change takes its later instant when only that instant's offset has the name, so `CET`
    /// marks the second pass in Europe/Berlin. Any other time converts as in
    /// [`Zone::to_utc_micros`].
    pub fn to_utc_micros_marked(self, civil: Civil, abbreviation: &[u8]) -> Option<i64> {
        self.convert(civil, |earlier, later| {
            let named = |t: &DateTime<Tz>| offset_has_name(t.offset(), abbreviation);
            if named(&later) && !named(&earlier) {
                later
            } else {
                earlier
            }
        })
    }

    /// Converts a local civil time, letting `pick` choose between the two instants of a local
    /// time repeated by a DST change (earlier first).
    fn convert(
        self,
        civil: Civil,
        pick: impl FnOnce(DateTime<Tz>, DateTime<Tz>) -> DateTime<Tz>,
    ) -> Option<i64> {
        match self {
            Zone::Utc => civil.to_utc_micros(),
            Zone::Named(tz) => {
                let naive = civil.to_naive()?;
                let resolved = match tz.from_local_datetime(&naive) {
                    LocalResult::Single(t) => t,
                    LocalResult::Ambiguous(earlier, later) => pick(earlier, later),
                    LocalResult::None => {
                        // Read the skipped time with the offset of one hour earlier.
                        let before = naive - chrono::Duration::hours(1);
                        let earlier = tz.from_local_datetime(&before).earliest()?;
                        let offset = chrono::Offset::fix(earlier.offset());
                        let utc =
                            naive - chrono::Duration::seconds(offset.local_minus_utc() as i64);
                        return Some(utc.and_utc().timestamp_micros());
                    }
                };
                Some(resolved.with_timezone(&Utc).timestamp_micros())
            }
        }
    }
}

/// The instant meant by a local time that a DST change repeats: in the hour after clocks go
/// back, each local time happens twice, first on the summer offset and then on the standard one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fold {
    /// The first instant, on the offset in force before the change.
    #[default]
    Earlier,
    /// The second instant, on the offset in force after the change.
    Later,
}

/// Tells whether a zone offset is the one named by `name`: its abbreviation (`CET`), or, for a
/// zone that has none, the numeric form journalctl prints instead (`+03`, `-0330`).
fn offset_has_name(offset: &<Tz as TimeZone>::Offset, name: &[u8]) -> bool {
    use chrono_tz::OffsetName;
    if let Some(abbreviation) = offset.abbreviation() {
        return abbreviation.as_bytes() == name;
    }
    if !matches!(name.first(), Some(b'+' | b'-')) {
        return false;
    }
    let seconds = i64::from(chrono::Offset::fix(offset).local_minus_utc());
    zone_offset(name) == Some((seconds, name.len()))
}

/// The tz database regions whose zone names are shown, most used first.
pub const REGIONS: [&str; 10] = [
    "Europe/",
    "America/",
    "Asia/",
    "Australia/",
    "Africa/",
    "Pacific/",
    "Atlantic/",
    "Indian/",
    "Antarctica/",
    "Arctic/",
];

/// Tells whether a zone name starts with a region. The others (`GB`, `EST5EDT`, `US/Eastern`,
/// `Etc/GMT+5`) are older aliases of the region names or fixed offsets.
pub fn has_region(name: &str) -> bool {
    REGIONS.iter().any(|region| name.starts_with(region))
}

/// Reads exactly `n` ASCII digits at the start of `bytes`.
pub fn digits(bytes: &[u8], n: usize) -> Option<u32> {
    if bytes.len() < n {
        return None;
    }
    let mut value: u32 = 0;
    for &b in &bytes[..n] {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u32::from(b - b'0');
    }
    Some(value)
}

/// Reads a fraction of a second `.ddd…` at the start of `bytes`: the microseconds, the number
/// of digits written, and the bytes consumed (the dot included). Digits past the sixth are
/// read and dropped. Returns `(0, 0, 0)` when `bytes` does not start with a dot and a digit.
pub fn fraction(bytes: &[u8]) -> (u32, usize, usize) {
    if bytes.first() != Some(&b'.') && bytes.first() != Some(&b',') {
        return (0, 0, 0);
    }
    let count = bytes[1..].iter().take_while(|b| b.is_ascii_digit()).count();
    if count == 0 {
        return (0, 0, 0);
    }
    let mut micros: u32 = 0;
    for i in 0..6 {
        let digit = if i < count {
            u32::from(bytes[1 + i] - b'0')
        } else {
            0
        };
        micros = micros * 10 + digit;
    }
    (micros, count, 1 + count)
}

/// Parses `HH:MM:SS` at the start of `bytes`.
pub fn hms(bytes: &[u8]) -> Option<(u32, u32, u32)> {
    if bytes.len() < 8 || bytes[2] != b':' || bytes[5] != b':' {
        return None;
    }
    let (h, m, s) = (
        digits(bytes, 2)?,
        digits(&bytes[3..], 2)?,
        digits(&bytes[6..], 2)?,
    );
    // 60 is a leap second: accepted and read as the next second by chrono's rules below.
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some((h, m, s.min(59)))
}

/// Parses `YYYY-MM-DD` (or with `/` separators, as Go's `log` writes) at the start of `bytes`.
pub fn ymd(bytes: &[u8]) -> Option<(i32, u32, u32)> {
    if bytes.len() < 10 {
        return None;
    }
    let sep = bytes[4];
    if (sep != b'-' && sep != b'/') || bytes[7] != sep {
        return None;
    }
    let year = digits(bytes, 4)? as i32;
    let month = digits(&bytes[5..], 2)?;
    let day = digits(&bytes[8..], 2)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some((year, month, day))
}

/// Parses a zone offset at the start of `bytes`: `Z`, `+00:00`, `+0000` or `+00`.
/// Returns the offset in seconds east of UTC and the bytes consumed.
pub fn zone_offset(bytes: &[u8]) -> Option<(i64, usize)> {
    match bytes.first()? {
        b'Z' | b'z' => Some((0, 1)),
        sign @ (b'+' | b'-') => {
            let hours = digits(&bytes[1..], 2)? as i64;
            let (minutes, used) = if bytes.get(3) == Some(&b':') {
                (digits(&bytes[4..], 2)? as i64, 6)
            } else if let Some(m) = digits(&bytes[3..], 2) {
                (m as i64, 5)
            } else {
                (0, 3)
            };
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = hours * 3600 + minutes * 60;
            Some((if *sign == b'-' { -seconds } else { seconds }, used))
        }
        _ => None,
    }
}

/// A time parsed from the start of a line, with the bytes it used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub micros: i64,
    pub precision: Precision,
    pub len: usize,
}

/// Parses an RFC 3339 / ISO 8601 time at the start of `bytes`: `2026-06-10T19:56:01Z`,
/// `2026-06-10T19:56:01.123456789+00:00`, `2026-06-10T19:56:01+0000`. A space is accepted in
/// place of the `T`. A time without a zone is read in `zone`.
pub fn parse_iso(bytes: &[u8], zone: Zone) -> Option<Parsed> {
    let (year, month, day) = ymd(bytes)?;
    if bytes.get(4) != Some(&b'-') {
        return None;
    }
    let sep = *bytes.get(10)?;
    if sep != b'T' && sep != b't' && sep != b' ' {
        return None;
    }
    let (hour, minute, second) = hms(bytes.get(11..)?)?;
    let mut pos = 19;
    let (micros, fraction_digits, used) = fraction(&bytes[pos..]);
    pos += used;
    let civil = Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
        micros,
    };
    let precision = Precision::from_fraction_digits(fraction_digits);
    match zone_offset(&bytes[pos..]) {
        Some((offset, used)) => {
            let utc = civil.to_utc_micros()? - offset * SECOND;
            Some(Parsed {
                micros: utc,
                precision,
                len: pos + used,
            })
        }
        None => Some(Parsed {
            micros: zone.to_utc_micros(civil)?,
            precision,
            len: pos,
        }),
    }
}

/// Returns the month number (1–12) of an English three-letter month abbreviation.
pub fn month_abbrev(bytes: &[u8]) -> Option<u32> {
    if bytes.len() < 3 {
        return None;
    }
    let lower = [
        bytes[0].to_ascii_lowercase(),
        bytes[1].to_ascii_lowercase(),
        bytes[2].to_ascii_lowercase(),
    ];
    let month = match &lower {
        b"jan" => 1,
        b"feb" => 2,
        b"mar" => 3,
        b"apr" => 4,
        b"may" => 5,
        b"jun" => 6,
        b"jul" => 7,
        b"aug" => 8,
        b"sep" => 9,
        b"oct" => 10,
        b"nov" => 11,
        b"dec" => 12,
        _ => return None,
    };
    Some(month)
}

/// Parses a CLF time `10/Jun/2026:19:30:12 +0000` (without the brackets).
pub fn parse_clf(bytes: &[u8]) -> Option<Parsed> {
    // dd/Mon/yyyy:HH:MM:SS +zzzz
    if bytes.len() < 20 || bytes[2] != b'/' || bytes[6] != b'/' || bytes[11] != b':' {
        return None;
    }
    let day = digits(bytes, 2)?;
    let month = month_abbrev(&bytes[3..6])?;
    let year = digits(&bytes[7..], 4)? as i32;
    let (hour, minute, second) = hms(&bytes[12..])?;
    let civil = Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
        micros: 0,
    };
    let mut pos = 20;
    let mut offset = 0;
    if bytes.get(pos) == Some(&b' ')
        && let Some((o, used)) = zone_offset(&bytes[pos + 1..])
    {
        offset = o;
        pos += 1 + used;
    }
    let micros = civil.to_utc_micros()? - offset * SECOND;
    Some(Parsed {
        micros,
        precision: Precision::Second,
        len: pos,
    })
}

/// Parses epoch seconds with an optional fraction, `1781121361.123456`.
pub fn parse_epoch_seconds(bytes: &[u8]) -> Option<Parsed> {
    let int_len = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if !(9..=11).contains(&int_len) {
        return None;
    }
    let seconds: i64 = std::str::from_utf8(&bytes[..int_len]).ok()?.parse().ok()?;
    let (micros, fraction_digits, used) = fraction(&bytes[int_len..]);
    Some(Parsed {
        micros: seconds * SECOND + i64::from(micros),
        precision: Precision::from_fraction_digits(fraction_digits),
        len: int_len + used,
    })
}

/// Formats a time as RFC 3339 UTC with milliseconds: `2026-06-10T19:56:01.123Z`.
pub fn format_millis(micros: i64) -> String {
    match DateTime::<Utc>::from_timestamp_micros(micros) {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => format!("invalid-time({micros})"),
    }
}

/// Formats a time as RFC 3339 UTC to the second: `2026-06-10T19:56:01Z`.
pub fn format_seconds(micros: i64) -> String {
    match DateTime::<Utc>::from_timestamp_micros(micros) {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => format!("invalid-time({micros})"),
    }
}

/// Parses a `--since`/`--until` value: RFC 3339, or `YYYY-MM-DD HH:MM:SS` (UTC unless an
/// offset follows), or a bare date `YYYY-MM-DD` (midnight UTC).
pub fn parse_bound(text: &str) -> Option<i64> {
    let bytes = text.trim().as_bytes();
    if bytes.len() == 10 {
        let (year, month, day) = ymd(bytes)?;
        let civil = Civil {
            year,
            month,
            day,
            hour: 0,
            minute: 0,
            second: 0,
            micros: 0,
        };
        return civil.to_utc_micros();
    }
    let parsed = parse_iso(bytes, Zone::Utc)?;
    (parsed.len == bytes.len()).then_some(parsed.micros)
}

/// Returns the year of a UTC time.
pub fn year_of(micros: i64) -> i32 {
    use chrono::Datelike;
    DateTime::<Utc>::from_timestamp_micros(micros).map_or(1970, |t| t.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_micros()
    }

    #[test]
    fn iso_variants() {
        let cases: &[(&str, &str, Precision)] = &[
            (
                "2026-06-10T19:56:01Z",
                "2026-06-10T19:56:01Z",
                Precision::Second,
            ),
            (
                "2026-06-10T19:56:01+00:00 devvm",
                "2026-06-10T19:56:01Z",
                Precision::Second,
            ),
            (
                "2026-06-10T19:56:01+0000 devvm",
                "2026-06-10T19:56:01Z",
                Precision::Second,
            ),
            (
                "2026-06-10T21:56:01+02:00",
                "2026-06-10T19:56:01Z",
                Precision::Second,
            ),
            (
                "2026-06-10T19:56:01.123456+00:00",
                "2026-06-10T19:56:01.123456Z",
                Precision::Micro,
            ),
            (
                "2026-06-10T19:56:01.123456789Z",
                "2026-06-10T19:56:01.123456Z",
                Precision::Micro,
            ),
            (
                "2026-06-10T19:56:01.12Z",
                "2026-06-10T19:56:01.120Z",
                Precision::Milli,
            ),
            (
                "2026-06-10 19:56:01",
                "2026-06-10T19:56:01Z",
                Precision::Second,
            ),
        ];
        for (input, expected, precision) in cases {
            let parsed = parse_iso(input.as_bytes(), Zone::Utc).unwrap();
            assert_eq!(parsed.micros, utc(expected), "{input}");
            assert_eq!(parsed.precision, *precision, "{input}");
        }
    }

    #[test]
    fn iso_rejects_garbage() {
        for input in [
            "",
            "2026-06-10",
            "2026-13-10T19:56:01Z",
            "2026-06-10T25:00:00Z",
            "x026-06-10T19:56:01Z",
        ] {
            assert_eq!(parse_iso(input.as_bytes(), Zone::Utc), None, "{input}");
        }
    }

    #[test]
    fn clf_time_with_offset() {
        let parsed = parse_clf(b"10/Jun/2026:21:30:12 +0200").unwrap();
        assert_eq!(parsed.micros, utc("2026-06-10T19:30:12Z"));
        assert_eq!(parsed.len, 26);
    }

    #[test]
    fn epoch_seconds_fraction() {
        let parsed = parse_epoch_seconds(b"1781121361.123456 devvm").unwrap();
        assert_eq!(parsed.micros, 1_781_121_361_123_456);
        assert_eq!(parsed.precision, Precision::Micro);
    }

    #[test]
    fn zone_dst_rules() {
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        // 2026-03-29 02:30 does not exist in Berlin: read with the winter offset (+01:00).
        let skipped = Civil {
            year: 2026,
            month: 3,
            day: 29,
            hour: 2,
            minute: 30,
            second: 0,
            micros: 0,
        };
        assert_eq!(
            berlin.to_utc_micros(skipped),
            Some(utc("2026-03-29T01:30:00Z"))
        );
        // 2026-10-25 02:30 happens twice: the earlier instant (+02:00) wins.
        let repeated = Civil {
            year: 2026,
            month: 10,
            day: 25,
            hour: 2,
            minute: 30,
            second: 0,
            micros: 0,
        };
        assert_eq!(
            berlin.to_utc_micros(repeated),
            Some(utc("2026-10-25T00:30:00Z"))
        );
    }

    #[test]
    fn repeated_local_time_by_fold_and_mark() {
        let civil = |year, month, day, hour, minute| Civil {
            year,
            month,
            day,
            hour,
            minute,
            second: 0,
            micros: 0,
        };
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        // America/Sao_Paulo left DST at 2018-02-18 00:00 (-02) for 2018-02-17 23:00 (-03).
        // Its offsets have no letter abbreviation, so journalctl prints them as numbers.
        let sao_paulo = Zone::parse("America/Sao_Paulo").unwrap();
        let repeated = civil(2026, 10, 25, 2, 30);

        struct Case {
            name: &'static str,
            zone: Zone,
            civil: Civil,
            fold: Fold,
            /// The abbreviation journalctl prints for the expected instant.
            mark: &'static [u8],
            expected: &'static str,
        }
        let cases = [
            Case {
                name: "Berlin earlier",
                zone: berlin,
                civil: repeated,
                fold: Fold::Earlier,
                mark: b"CEST",
                expected: "2026-10-25T00:30:00Z",
            },
            Case {
                name: "Berlin later",
                zone: berlin,
                civil: repeated,
                fold: Fold::Later,
                mark: b"CET",
                expected: "2026-10-25T01:30:00Z",
            },
            Case {
                name: "Sao Paulo earlier",
                zone: sao_paulo,
                civil: civil(2018, 2, 17, 23, 30),
                fold: Fold::Earlier,
                mark: b"-02",
                expected: "2018-02-18T01:30:00Z",
            },
            Case {
                name: "Sao Paulo later",
                zone: sao_paulo,
                civil: civil(2018, 2, 17, 23, 30),
                fold: Fold::Later,
                mark: b"-03",
                expected: "2018-02-18T02:30:00Z",
            },
            Case {
                name: "not repeated",
                zone: berlin,
                civil: civil(2026, 10, 25, 3, 30),
                fold: Fold::Later,
                mark: b"CET",
                expected: "2026-10-25T02:30:00Z",
            },
        ];

        for case in &cases {
            let expected = Some(utc(case.expected));
            let by_fold = case.zone.to_utc_micros_in_fold(case.civil, case.fold);
            assert_eq!(by_fold, expected, "{}: by fold", case.name);
            let by_mark = case.zone.to_utc_micros_marked(case.civil, case.mark);
            assert_eq!(by_mark, expected, "{}: by mark", case.name);
        }

        // A mark that names neither offset, or UTC, leaves the earlier instant.
        assert_eq!(
            berlin.to_utc_micros_marked(repeated, b"+03"),
            Some(utc("2026-10-25T00:30:00Z"))
        );
        assert_eq!(
            Zone::Utc.to_utc_micros_marked(repeated, b"CET"),
            Some(utc("2026-10-25T02:30:00Z"))
        );
    }

    #[test]
    fn bounds_accept_both_forms() {
        assert_eq!(
            parse_bound("2026-06-10 19:00:00"),
            Some(utc("2026-06-10T19:00:00Z"))
        );
        assert_eq!(
            parse_bound("2026-06-10T21:00:00+02:00"),
            Some(utc("2026-06-10T19:00:00Z"))
        );
        assert_eq!(parse_bound("2026-06-10"), Some(utc("2026-06-10T00:00:00Z")));
        assert_eq!(parse_bound("yesterday"), None);
    }

    proptest::proptest! {
        #[test]
        fn civil_matches_chrono(
            year in 1i32..4000,
            month in 0u32..14,
            day in 0u32..33,
            hour in 0u32..25,
            minute in 0u32..61,
            second in 0u32..61,
            micros in 0u32..1_000_001,
        ) {
            let civil = Civil { year, month, day, hour, minute, second, micros };
            let expected = NaiveDate::from_ymd_opt(year, month, day)
                .and_then(|d| d.and_hms_micro_opt(hour, minute, second, micros))
                .filter(|t| chrono::Timelike::nanosecond(t) < 1_000_000_000)
                .map(|t| t.and_utc().timestamp_micros());
            proptest::prop_assert_eq!(civil.to_utc_micros(), expected);
        }
    }

    #[test]
    fn format_millis_rounds_down() {
        assert_eq!(
            format_millis(utc("2026-06-10T19:56:01.123456Z")),
            "2026-06-10T19:56:01.123Z"
        );
    }
}
