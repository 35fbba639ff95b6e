//! Operator input as typed into the CLI or the console: times (past and
//! future), lists, polygons and typed values, each read with the name of
//! the field it came from so a refusal can point at it.

use std::str::FromStr;

use liandong_protocol::domain::GeoPoint;

use super::error::ActionError;
use crate::clock;

/// A time as operators write it: what `clock::parse_time_ms` reads (a date,
/// a Beijing date-time, RFC 3339, or `2h` for two hours ago), or `+2h` for
/// two hours from now.
pub fn time(field: &str, text: &str, now_ms: u64) -> Result<u64, ActionError> {
    let t = text.trim();
    if let Some(ahead) = t.strip_prefix('+') {
        let ago_ms = clock::parse_time_ms(ahead, now_ms).map_err(|e| invalid(field, e))?;
        return Ok(now_ms.saturating_add(now_ms.saturating_sub(ago_ms)));
    }
    clock::parse_time_ms(t, now_ms).map_err(|e| invalid(field, e))
}

/// How far ahead of this post's clock a time of something that already
/// happened may lie: another post's clock, or the operator's watch.
pub const PAST_SKEW_MS: u64 = 5 * 60_000;
/// How far behind now a deadline may lie (typed a minute ago).
pub const FUTURE_GRACE_MS: u64 = 60_000;

/// When something happened (`--occurred`): `40m` means forty minutes ago;
/// a time ahead of now is refused, as is a duration reaching back before
/// 1970.
pub fn past(field: &str, text: &str, now_ms: u64) -> Result<u64, ActionError> {
    let t = text.trim();
    if t.starts_with('+') {
        return Err(not_past(field, t));
    }
    if clock::parse_duration_ms(t).is_some_and(|ago| ago > now_ms) {
        return Err(ActionError::invalid(
            field,
            format!("{t} reaches back before 1970 / 时长过大：{t}"),
        ));
    }
    let at = clock::parse_time_ms(t, now_ms).map_err(|e| invalid(field, e))?;
    if at > now_ms.saturating_add(PAST_SKEW_MS) {
        return Err(not_past(field, t));
    }
    Ok(at)
}

/// A deadline or an end (`--due`, `--needed-by`, `--expires`, `--eta`):
/// `2h` and `+2h` both mean two hours from now; a time already past is
/// refused rather than written overdue.
pub fn future(field: &str, text: &str, now_ms: u64) -> Result<u64, ActionError> {
    let t = text.trim();
    let ahead = t.strip_prefix('+').unwrap_or(t);
    let at = match clock::parse_duration_ms(ahead) {
        Some(ms) => now_ms.checked_add(ms).ok_or_else(|| {
            ActionError::invalid(field, format!("{t} is too far ahead / 时长过大：{t}"))
        })?,
        None => clock::parse_time_ms(t, now_ms).map_err(|e| invalid(field, e))?,
    };
    if at.saturating_add(FUTURE_GRACE_MS) < now_ms {
        return Err(ActionError::invalid(
            field,
            format!(
                "{t} is already past; give a later time, such as +2h / 该时间已过，请填写今后的时间，如 +2h"
            ),
        ));
    }
    Ok(at)
}

fn not_past(field: &str, t: &str) -> ActionError {
    ActionError::invalid(
        field,
        format!(
            "{t} is in the future; this is when it happened, such as 40m (ago) / 发生时间不能晚于现在，如 40m 表示 40 分钟前"
        ),
    )
}

/// An optional past time; blank counts as absent.
pub fn past_opt(
    field: &str,
    text: &Option<String>,
    now_ms: u64,
) -> Result<Option<u64>, ActionError> {
    non_blank(text).map(|t| past(field, t, now_ms)).transpose()
}

/// An optional deadline; blank counts as absent.
pub fn future_opt(
    field: &str,
    text: &Option<String>,
    now_ms: u64,
) -> Result<Option<u64>, ActionError> {
    non_blank(text)
        .map(|t| future(field, t, now_ms))
        .transpose()
}

/// An optional time; blank counts as absent (an empty form field).
pub fn time_opt(
    field: &str,
    text: &Option<String>,
    now_ms: u64,
) -> Result<Option<u64>, ActionError> {
    non_blank(text).map(|t| time(field, t, now_ms)).transpose()
}

/// A value read with its `FromStr`; the parser's message explains a refusal.
pub fn parse<T>(field: &str, text: &str) -> Result<T, ActionError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    text.trim().parse::<T>().map_err(|e| invalid(field, e))
}

/// An optional typed value; blank counts as absent.
pub fn parse_opt<T>(field: &str, text: &Option<String>) -> Result<Option<T>, ActionError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    non_blank(text).map(|t| parse(field, t)).transpose()
}

/// A required value: absent or blank is `missing_field`, naming it in
/// Chinese (`zh`) for the operator.
pub fn required<'a>(
    field: &str,
    zh: &str,
    text: &'a Option<String>,
) -> Result<&'a str, ActionError> {
    non_blank(text).ok_or_else(|| ActionError::missing(field, zh))
}

/// Every problem of one form, gathered while it is read, so the refusal
/// names them all at once ([`ActionError::all`]) instead of the first.
#[derive(Debug, Default)]
pub struct Problems(Vec<ActionError>);

impl Problems {
    /// The value of `r`, keeping its error for the refusal.
    pub fn take<T>(&mut self, r: Result<T, ActionError>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }

    /// Notes a required field left absent or blank (`missing_field`).
    pub fn require(&mut self, field: &str, zh: &str, text: &Option<String>) {
        self.take(required(field, zh, text));
    }

    /// Whether `field` is already at fault (a later rule on it would only
    /// say the same thing again).
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field.as_deref() == Some(field))
    }

    /// `Ok` when nothing was wrong; otherwise one refusal naming each
    /// problem, in the order they were found.
    pub fn finish(self) -> Result<(), ActionError> {
        ActionError::all(self.0)
    }
}

/// The text, unless absent or only whitespace.
pub fn non_blank(text: &Option<String>) -> Option<&str> {
    text.as_deref().filter(|t| !t.trim().is_empty())
}

/// Splits `a,b、c，d` into trimmed, non-empty items.
pub fn list(text: &str) -> Vec<String> {
    text.split([',', '，', '、'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Splits every value of a repeated option as a list, and joins them.
pub fn lists(values: &[String]) -> Vec<String> {
    values.iter().flat_map(|v| list(v)).collect()
}

/// `lat,lon;lat,lon;…` → polygon points.
pub fn polygon(field: &str, text: &str) -> Result<Vec<GeoPoint>, ActionError> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|p| parse::<GeoPoint>(field, p))
        .collect()
}

fn invalid(field: &str, e: impl std::fmt::Display) -> ActionError {
    ActionError::invalid(field, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn future_and_past_times() {
        let now = 1_795_824_000_000;
        assert_eq!(time("due", "+2h", now).ok(), Some(now + 7_200_000));
        assert_eq!(time("due", "2h", now).ok(), Some(now - 7_200_000));
        let e = time("due", "+soon", now).err();
        assert_eq!(e.as_ref().map(|e| e.code), Some("invalid_field"));
        assert_eq!(e.and_then(|e| e.field), Some("due".into()));
        assert_eq!(time_opt("due", &Some("  ".into()), now).ok(), Some(None));
    }

    #[test]
    fn deadlines_lie_ahead_and_occurrences_behind() {
        let now = 1_795_824_000_000;
        assert_eq!(future("due", "2h", now).ok(), Some(now + 7_200_000));
        assert_eq!(future("due", "+2h", now).ok(), Some(now + 7_200_000));
        let past_due = future("due", "2026-01-01", now).err();
        assert_eq!(past_due.and_then(|e| e.field), Some("due".into()));
        // A minute's grace for a time typed just now.
        assert!(future("due", "2026-11-28 07:59:30", now).is_ok());
        assert!(future("due", "999999999999999d", now).is_err());

        assert_eq!(past("occurred", "40m", now).ok(), Some(now - 2_400_000));
        assert!(past("occurred", "+40m", now).is_err());
        let far = past("occurred", "9999-12-31", now).err();
        assert_eq!(far.and_then(|e| e.field), Some("occurred".into()));
        assert!(
            past("occurred", "2026-11-28 08:04", now).is_ok(),
            "within the skew"
        );
        let huge = past("occurred", "99999999999h", now).err();
        assert_eq!(huge.and_then(|e| e.field), Some("occurred".into()));
    }

    #[test]
    fn problems_are_gathered_and_reported_together() {
        let mut p = Problems::default();
        p.require("color", "预警颜色", &None);
        assert_eq!(p.take(parse::<u32>("count", "7")), Some(7));
        assert_eq!(p.take(parse::<u32>("count", "seven")), None);
        p.require("headline", "中文标题", &Some("洪水预警".into()));
        let e = p.finish().expect_err("two problems");
        assert_eq!(e.code, "invalid_fields");
        let fields: Vec<&str> = e.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["color", "count"]);
        assert_eq!(Problems::default().finish(), Ok(()));
    }

    #[test]
    fn lists_split_on_chinese_commas() {
        assert_eq!(
            list("水利，消防、卫生, 交通,"),
            ["水利", "消防", "卫生", "交通"]
        );
    }

    #[test]
    fn required_values_name_their_field() {
        let e = required("title", "事件名称", &None).err();
        assert_eq!(e.as_ref().map(|e| e.code), Some("missing_field"));
        assert!(e.is_some_and(|e| e.zh.contains("事件名称")));
        assert_eq!(
            required("title", "事件名称", &Some("洪涝".into())).ok(),
            Some("洪涝")
        );
    }
}
