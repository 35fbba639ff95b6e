//! CAP times: `YYYY-MM-DDThh:mm:ss±hh:mm`, read into [`CapTime`] (the
//! instant, and the offset it was written with) and written back the same.
//!
//! What is read, and why:
//! - CAP 1.2's form, the offset required (`-00:00` reads as UTC).
//! - `Z` for UTC and fractional seconds: CAP 1.0 and 1.1 typed times as
//!   `xs:dateTime`, which allows both, and older senders use them. `Z`
//!   reads as offset 0 (written back `+00:00`); fractions are dropped
//!   (whole seconds kept) because CAP 1.2 cannot write them, and a time
//!   that could not be handed on unchanged would break the round trip.
//! - A time without an offset is refused: it names no instant.
//! - Times before 1970 are refused (the ledger counts from the epoch), as
//!   are `24:00:00` and leap seconds (`:60`), which name no time jiff or
//!   most consumers accept.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::Offset;
use liandong_protocol::domain::cap::CapTime;

/// Latest offset `xs:dateTime` allows: ±14:00.
const MAX_OFFSET_MIN: i32 = 14 * 60;

/// Reads a CAP time, `None` when `text` is not one.
pub(super) fn parse(text: &str) -> Option<CapTime> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    let mut rest = &b[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        rest = &fraction[n..];
    }
    let offset_min = match rest {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let h = digits(&[*h1, *h2])?;
            let m = digits(&[*m1, *m2])?;
            if m >= 60 {
                return None;
            }
            let total = h * 60 + m;
            if total > MAX_OFFSET_MIN {
                return None;
            }
            if *sign == b'-' { -total } else { total }
        }
        _ => return None,
    };
    let civil = DateTime::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        // jiff refuses 60 (a leap second), as intended.
        i8::try_from(second).ok()?,
        0,
    )
    .ok()?;
    let offset = Offset::from_seconds(offset_min * 60).ok()?;
    let instant = offset.to_timestamp(civil).ok()?;
    Some(CapTime {
        ms: u64::try_from(instant.as_millisecond()).ok()?,
        offset_min: i16::try_from(offset_min).ok()?,
    })
}

/// Writes a CAP 1.2 time: whole seconds (a fraction of a second is cut),
/// the offset it was read with. Total, so an export always validates: an
/// offset past ±14:00 is written as ±14:00 and an instant past the year
/// 9999 as 9999-12-31T23:59:59 (neither is read from CAP; only a corrupt
/// value from elsewhere could hold one).
pub(super) fn format(time: CapTime) -> String {
    let offset_min = i32::from(time.offset_min).clamp(-MAX_OFFSET_MIN, MAX_OFFSET_MIN);
    let offset = Offset::from_seconds(offset_min * 60).unwrap_or(Offset::UTC);
    let latest = DateTime::constant(9999, 12, 31, 23, 59, 59, 0);
    let civil = i64::try_from(time.ms / 1000)
        .ok()
        .and_then(|s| Timestamp::from_second(s).ok())
        .map(|instant| offset.to_datetime(instant))
        .filter(|civil| *civil <= latest)
        .unwrap_or(latest);
    let sign = if offset_min < 0 { '-' } else { '+' };
    let abs = offset_min.abs();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        civil.year(),
        civil.month(),
        civil.day(),
        civil.hour(),
        civil.minute(),
        civil.second(),
        abs / 60,
        abs % 60
    )
}

/// A time with the fraction of a second cut, as CAP writes it.
pub(super) fn whole_seconds(time: CapTime) -> CapTime {
    CapTime {
        ms: time.ms - time.ms % 1000,
        offset_min: time.offset_min,
    }
}

fn digits(b: &[u8]) -> Option<i32> {
    b.iter().try_fold(0i32, |n, c| {
        c.is_ascii_digit().then(|| n * 10 + i32::from(c - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64, offset_min: i16) -> Option<CapTime> {
        Some(CapTime { ms, offset_min })
    }

    #[test]
    fn reads_cap_times_with_their_offsets() {
        // 2003-06-17T21:57:00Z
        assert_eq!(
            parse("2003-06-17T14:57:00-07:00"),
            t(1_055_887_020_000, -420)
        );
        assert_eq!(parse("2003-06-17T21:57:00-00:00"), t(1_055_887_020_000, 0));
        assert_eq!(parse("2003-06-17T21:57:00Z"), t(1_055_887_020_000, 0));
        assert_eq!(parse("2003-06-17T21:57:00.75Z"), t(1_055_887_020_000, 0));
        assert_eq!(
            parse("2003-06-18T05:57:00+08:00"),
            t(1_055_887_020_000, 480)
        );
        assert_eq!(
            parse("2020-02-29T00:00:00+05:45"),
            t(1_582_913_700_000, 345)
        );
    }

    #[test]
    fn refuses_what_is_not_a_cap_time() {
        for bad in [
            "",
            "2003-06-17T14:57:00",
            "2003-06-17 14:57:00+08:00",
            "2003-06-17T14:57+08:00",
            "2003-02-30T14:57:00+08:00",
            "2003-06-17T24:00:00+08:00",
            "2003-06-17T23:59:60+08:00",
            "2003-06-17T14:57:00+15:00",
            "2003-06-17T14:57:00+08:60",
            "2003-06-17T14:57:00+0800",
            "2003-06-17T14:57:00.+08:00",
            "1969-12-31T23:59:59Z",
            "２００３-06-17T14:57:00+08:00",
            "2003-06-17T14:57:00+08:00 ",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn writes_what_it_reads() {
        for text in [
            "2003-06-17T14:57:00-07:00",
            "2026-12-01T08:00:00+08:00",
            "1970-01-01T00:00:00+00:00",
            "2020-02-29T00:00:00+05:45",
        ] {
            let time = parse(text).expect(text);
            assert_eq!(format(time), text);
        }
        assert_eq!(
            format(CapTime {
                ms: 1_055_887_020_999,
                offset_min: 480
            }),
            "2003-06-18T05:57:00+08:00",
            "fractions are cut"
        );
        assert_eq!(
            format(CapTime {
                ms: 0,
                offset_min: 15 * 60
            }),
            "1970-01-01T14:00:00+14:00"
        );
        assert_eq!(
            format(CapTime {
                ms: u64::MAX,
                offset_min: 0
            }),
            "9999-12-31T23:59:59+00:00"
        );
    }
}
