//! Time units and the timestamp shapes of each source. Times are UTC microseconds since the epoch.

use chrono::{DateTime, Utc};

pub const MILLI: i64 = 1_000;
pub const SECOND: i64 = 1_000_000;
pub const MINUTE: i64 = 60 * SECOND;
pub const HOUR: i64 = 60 * MINUTE;

/// Returns the offset of `minute:second` into an hour, in microseconds.
pub const fn at(minute: i64, second: i64) -> i64 {
    minute * MINUTE + second * SECOND
}

fn civil(micros: i64) -> DateTime<Utc> {
    // The start time is checked to lie in years 1970-9999, far inside chrono's range.
    DateTime::from_timestamp_micros(micros).expect("generated times stay within chrono's range")
}

/// Go's `log` prefix, `2026/06/10 19:56:01`, without the trailing space.
pub fn go_log_prefix(micros: i64) -> String {
    civil(micros).format("%Y/%m/%d %H:%M:%S").to_string()
}

/// `19:55:40.120`, as in t3 serve's pretty logger header.
pub fn time_of_day_millis(micros: i64) -> String {
    civil(micros).format("%H:%M:%S%.3f").to_string()
}

/// `Jun 10 19:56:01` (`short`) or `Jun 10 19:56:01.123456` (`short-precise`).
pub fn syslog(micros: i64, precise: bool) -> String {
    let format = if precise {
        "%b %d %H:%M:%S%.6f"
    } else {
        "%b %d %H:%M:%S"
    };
    civil(micros).format(format).to_string()
}

/// `2026-06-10T19:56:01+00:00` (`short-iso`) or with `.123456` (`short-iso-precise`).
pub fn iso_offset(micros: i64, precise: bool) -> String {
    let format = if precise {
        "%Y-%m-%dT%H:%M:%S%.6f+00:00"
    } else {
        "%Y-%m-%dT%H:%M:%S+00:00"
    };
    civil(micros).format(format).to_string()
}

/// `1781121361.123456` (`short-unix`).
pub fn epoch_micros(micros: i64) -> String {
    format!(
        "{}.{:06}",
        micros.div_euclid(SECOND),
        micros.rem_euclid(SECOND)
    )
}

/// `Wed 2026-06-10 19:56:01 UTC`, systemd's full timestamp (`with-unit`, journal header).
pub fn weekday_full(micros: i64) -> String {
    civil(micros).format("%a %Y-%m-%d %H:%M:%S UTC").to_string()
}

/// `10/Jun/2026:19:30:12 +0000`, the CLF bracket.
pub fn clf(micros: i64) -> String {
    civil(micros).format("%d/%b/%Y:%H:%M:%S +0000").to_string()
}

/// `2026-06-10T19:30:12Z`, the console time of cloudflared and Traefik's own lines.
pub fn console(micros: i64) -> String {
    civil(micros).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `2026-06-10T19:12:30.123Z`, RFC 3339 with milliseconds (truth file).
pub fn rfc3339_millis(micros: i64) -> String {
    civil(micros).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Parses an RFC 3339 time, accepting only years 1970-9999.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let time = DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc);
    let micros = time.timestamp_micros();
    let year_10000 = 253_402_300_800 * SECOND;
    (0..year_10000 - 1000 * HOUR)
        .contains(&micros)
        .then_some(micros)
}
