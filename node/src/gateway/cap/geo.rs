//! CAP's geometry text: points `lat,lon` in decimal degrees (WGS-84),
//! polygons as whitespace-separated points, circles as `lat,lon radius`
//! with the radius in kilometres. Decimals are read exactly, as integers
//! in millionths (micro-degrees, millimetres), rounded half away from zero
//! past the sixth place, so a value reads the same on every machine and
//! writes back digit for digit (trailing zeros dropped).

use liandong_protocol::domain::GeoPoint;
use liandong_protocol::domain::cap::{CapCircle, MAX_CIRCLE_RADIUS_MM};

use super::problems::Problem;

/// Reads `lat,lon`.
pub(super) fn point(text: &str) -> Result<GeoPoint, Problem> {
    let bad = || Problem::Point(text.to_string());
    let (lat, lon) = text.split_once(',').ok_or_else(bad)?;
    let lat = millionths(lat.trim()).ok_or_else(bad)?;
    let lon = millionths(lon.trim()).ok_or_else(bad)?;
    if lat.unsigned_abs() > 90_000_000 || lon.unsigned_abs() > 180_000_000 {
        return Err(bad());
    }
    Ok(GeoPoint {
        lat_e6: i32::try_from(lat).map_err(|_| bad())?,
        lon_e6: i32::try_from(lon).map_err(|_| bad())?,
    })
}

/// Reads a polygon: every point, at least four, the last repeating the
/// first. Each bad point is its own problem.
pub(super) fn polygon(text: &str) -> Result<Vec<GeoPoint>, Vec<Problem>> {
    let mut points = Vec::new();
    let mut problems = Vec::new();
    for word in text.split_whitespace() {
        match point(word) {
            Ok(p) => points.push(p),
            Err(p) => problems.push(p),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if points.len() < 4 {
        return Err(vec![Problem::PolygonPoints(points.len())]);
    }
    if let (Some(first), Some(last)) = (points.first(), points.last())
        && first != last
    {
        return Err(vec![Problem::PolygonOpen {
            first: write_point(*first),
            last: write_point(*last),
        }]);
    }
    Ok(points)
}

/// Reads `lat,lon radius_km`.
pub(super) fn circle(text: &str) -> Result<CapCircle, Problem> {
    let bad = || Problem::Circle(text.to_string());
    let mut words = text.split_whitespace();
    let (Some(centre), Some(radius), None) = (words.next(), words.next(), words.next()) else {
        return Err(bad());
    };
    let center = point(centre).map_err(|_| bad())?;
    let radius_mm = millionths(radius)
        .and_then(|r| u64::try_from(r).ok())
        .filter(|r| *r <= MAX_CIRCLE_RADIUS_MM)
        .ok_or_else(bad)?;
    Ok(CapCircle { center, radius_mm })
}

pub(super) fn write_point(p: GeoPoint) -> String {
    format!(
        "{},{}",
        decimal(i64::from(p.lat_e6)),
        decimal(i64::from(p.lon_e6))
    )
}

pub(super) fn write_polygon(points: &[GeoPoint]) -> String {
    let words: Vec<String> = points.iter().map(|p| write_point(*p)).collect();
    words.join(" ")
}

pub(super) fn write_circle(c: &CapCircle) -> String {
    // The radius is bounded by MAX_CIRCLE_RADIUS_MM when read; a larger one
    // from elsewhere still writes its digits.
    let radius = i64::try_from(c.radius_mm).unwrap_or(i64::MAX);
    format!("{} {}", write_point(c.center), decimal(radius))
}

/// A decimal (`-12.5`, `+3`, `.25`, `7.`) in millionths; `None` for
/// anything else (exponents, `NaN`, more than 12 integer digits).
pub(super) fn millionths(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !all_digits(fraction) || whole.len() > 12 {
        return None;
    }
    let mut value: i64 = 0;
    for b in whole.bytes() {
        value = value * 10 + i64::from(b - b'0');
    }
    let mut places = fraction.bytes();
    for _ in 0..6 {
        let d = places.next().map_or(0, |b| i64::from(b - b'0'));
        value = value * 10 + d;
    }
    if places.next().is_some_and(|b| b >= b'5') {
        value += 1;
    }
    Some(if negative { -value } else { value })
}

/// Millionths as a decimal, trailing zeros dropped (`38470000` → `38.47`).
pub(super) fn decimal(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.unsigned_abs();
    let (whole, fraction) = (abs / 1_000_000, abs % 1_000_000);
    if fraction == 0 {
        return format!("{sign}{whole}");
    }
    let fraction = format!("{fraction:06}");
    format!("{sign}{whole}.{}", fraction.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_read_exactly_and_write_back() {
        assert_eq!(millionths("38.47"), Some(38_470_000));
        assert_eq!(millionths("-120.14"), Some(-120_140_000));
        assert_eq!(millionths("0"), Some(0));
        assert_eq!(millionths("0.0"), Some(0));
        assert_eq!(millionths(".5"), Some(500_000));
        assert_eq!(millionths("1.0000005"), Some(1_000_001));
        assert_eq!(millionths("1.00000049"), Some(1_000_000));
        for bad in ["", "-", ".", "1e3", "NaN", "1.2.3", " 1", "1,5", "--1"] {
            assert_eq!(millionths(bad), None, "{bad:?}");
        }
        assert_eq!(decimal(38_470_000), "38.47");
        assert_eq!(decimal(-120_140_000), "-120.14");
        assert_eq!(decimal(-500_000), "-0.5");
        assert_eq!(decimal(25_000_000), "25");
    }

    #[test]
    fn polygons_close_and_circles_have_a_radius() {
        let text = "38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14";
        let points = polygon(text).expect("closed");
        assert_eq!(points.len(), 5);
        assert_eq!(write_polygon(&points), text);

        let open = "38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89";
        assert_eq!(
            polygon(open),
            Err(vec![Problem::PolygonOpen {
                first: "38.47,-120.14".into(),
                last: "38.62,-119.89".into()
            }])
        );
        assert_eq!(polygon("1,1 2,2 1,1"), Err(vec![Problem::PolygonPoints(3)]));
        assert_eq!(
            polygon("1,1 x 2,2 91,0 1,1"),
            Err(vec![
                Problem::Point("x".into()),
                Problem::Point("91,0".into())
            ])
        );

        let c = circle("32.9525,-115.5527 0").expect("circle");
        assert_eq!(c.radius_mm, 0);
        assert_eq!(write_circle(&c), "32.9525,-115.5527 0");
        let c = circle(" 44.33,85.62   25.5 ").expect("circle");
        assert_eq!(c.radius_mm, 25_500_000);
        for bad in [
            "44.33,85.62",
            "44.33,85.62 -1",
            "44.33 85.62 1",
            "0,0 1 2",
            "0,0 40000",
        ] {
            assert_eq!(circle(bad), Err(Problem::Circle(bad.into())), "{bad:?}");
        }
    }
}
