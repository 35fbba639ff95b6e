//! The wall clock and human-readable times.
//!
//! The protocol takes time as an argument; this is where the node reads it.
//! Operators read and type times in Beijing time (UTC+8), the time every
//! post in China keeps.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use jiff::tz::{self, TimeZone};
use jiff::{Timestamp, civil};
use liandong_protocol::Hlc;

/// The environment variable that skews this process's clock by a signed
/// number of milliseconds — for fault testing only (`liandong bench
/// nemesis` runs posts whose clocks disagree within the allowed window).
pub const SKEW_ENV: &str = "LIANDONG_CLOCK_SKEW_MS";

/// Milliseconds since the Unix epoch (0 if the clock is before 1970), plus
/// the test skew, if one is set.
pub fn now_ms() -> u64 {
    let wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    wall.saturating_add_signed(skew_ms())
}

fn skew_ms() -> i64 {
    static SKEW: OnceLock<i64> = OnceLock::new();
    *SKEW.get_or_init(|| {
        std::env::var(SKEW_ENV)
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    })
}

fn beijing() -> TimeZone {
    TimeZone::fixed(tz::offset(8))
}

/// `2026-11-28 16:00:05` in Beijing time.
pub fn format_ms(ms: u64) -> String {
    let Ok(ts) = Timestamp::from_millisecond(i64::try_from(ms).unwrap_or(i64::MAX)) else {
        return format!("{ms}ms");
    };
    ts.to_zoned(beijing())
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

pub fn format_hlc(hlc: Hlc) -> String {
    format_ms(hlc.wall_ms())
}

/// RFC 3339 with offset, for JSON.
pub fn rfc3339_ms(ms: u64) -> String {
    match Timestamp::from_millisecond(i64::try_from(ms).unwrap_or(i64::MAX)) {
        Ok(ts) => ts
            .to_zoned(beijing())
            .strftime("%Y-%m-%dT%H:%M:%S%.3f%:z")
            .to_string(),
        Err(_) => ms.to_string(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot read time {0:?}; write e.g. 2026-11-28, \"2026-11-28 08:30\" (Beijing time), \
     2026-11-28T00:30:00Z, or 2h / 30m / 3d for \"that long ago\" \
     / 时间格式有误"
)]
pub struct TimeParseError(pub String);

/// Parses an operator's time: a date or date-time in Beijing time, an
/// RFC 3339 instant, or a duration ago (`90m`, `2h`, `3d`).
pub fn parse_time_ms(text: &str, now_ms: u64) -> Result<u64, TimeParseError> {
    let t = text.trim();
    let err = || TimeParseError(text.to_string());
    if let Some(ago) = parse_ago_ms(t) {
        return Ok(now_ms.saturating_sub(ago));
    }
    let to_ms = |ts: Timestamp| u64::try_from(ts.as_millisecond()).map_err(|_| err());
    if let Ok(ts) = t.parse::<Timestamp>() {
        return to_ms(ts);
    }
    let normalised = t.replace(' ', "T");
    if let Ok(dt) = normalised.parse::<civil::DateTime>() {
        return to_ms(dt.to_zoned(beijing()).map_err(|_| err())?.timestamp());
    }
    if let Ok(d) = t.parse::<civil::Date>() {
        return to_ms(d.to_zoned(beijing()).map_err(|_| err())?.timestamp());
    }
    Err(err())
}

/// A bare duration (`40m`, `2h`, `3d`, `30s`) in milliseconds; `None`
/// when the text is not one (or overflows).
pub fn parse_duration_ms(t: &str) -> Option<u64> {
    parse_ago_ms(t.trim())
}

fn parse_ago_ms(t: &str) -> Option<u64> {
    let unit_ms = match t.chars().last()? {
        's' => 1_000,
        'm' => 60_000,
        'h' => 3_600_000,
        'd' => 86_400_000,
        _ => return None,
    };
    let n: u64 = t[..t.len() - 1].parse().ok()?;
    n.checked_mul(unit_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_beijing_time() {
        // 2026-11-28T00:00:00Z
        let ms = 1_795_824_000_000;
        assert_eq!(format_ms(ms), "2026-11-28 08:00:00");
        assert_eq!(rfc3339_ms(ms), "2026-11-28T08:00:00.000+08:00");
    }

    #[test]
    fn parses_operator_times() {
        let now = 1_795_824_000_000;
        assert_eq!(parse_time_ms("2026-11-28 08:00", now), Ok(now));
        assert_eq!(parse_time_ms("2026-11-28T00:00:00Z", now), Ok(now));
        assert_eq!(parse_time_ms("2026-11-28", now), Ok(now - 8 * 3_600_000));
        assert_eq!(parse_time_ms("2h", now), Ok(now - 2 * 3_600_000));
        assert!(parse_time_ms("yesterday", now).is_err());
    }
}
