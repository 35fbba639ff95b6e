//! An `<area>` read into [`CapArea`]: its description, polygons, circles,
//! geocodes, altitude and ceiling. An empty `<polygon/>` (some NWS feeds
//! write one when they have no shape) is no polygon; any other polygon
//! must be 4 or more points with the last repeating the first.

use liandong_protocol::domain::cap::CapArea;

use super::fields::Reading;
use super::geo;
use super::problems::{NumberUnit, Problem};
use super::xml::Element;

const AREA: &[&str] = &[
    "areaDesc", "polygon+", "circle+", "geocode+", "altitude", "ceiling",
];

/// Reads the area at `at`; `None` when it has problems (all noted).
pub(super) fn area(r: &mut Reading, element: &Element, at: &str) -> Option<CapArea> {
    let before = r.problems.len();
    let c = r.children(element, at, AREA);
    let description = r.required(&c, "areaDesc");
    let mut polygons = Vec::new();
    for (e, path) in r.many(&c, "polygon") {
        let text = r.text(e, &path);
        if text.is_empty() {
            continue;
        }
        match geo::polygon(&text) {
            Ok(points) => polygons.push(points),
            Err(problems) => problems.into_iter().for_each(|p| r.problem(&path, p)),
        }
    }
    let mut circles = Vec::new();
    for (e, path) in r.many(&c, "circle") {
        let text = r.text(e, &path);
        match geo::circle(&text) {
            Ok(circle) => circles.push(circle),
            Err(p) => r.problem(&path, p),
        }
    }
    let geocodes = r.pairs(&c, "geocode");
    let altitude = decimal(r, &c, "altitude");
    let ceiling = decimal(r, &c, "ceiling");
    if !ceiling.is_empty() && altitude.is_empty() {
        r.problem(
            &Reading::path(&c, "ceiling"),
            Problem::CeilingWithoutAltitude,
        );
    }
    if r.problems.len() > before {
        return None;
    }
    Some(CapArea {
        description: description?,
        polygons,
        circles,
        geocodes,
        altitude,
        ceiling,
    })
}

/// `altitude` and `ceiling`: feet, an `xs:decimal` in CAP 1.2 (free text
/// in 1.0 and 1.1, but only a number can be handed on as 1.2). Kept as
/// written.
fn decimal(r: &mut Reading, c: &super::fields::Children<'_>, name: &'static str) -> String {
    let text = r.optional(c, name);
    if !text.is_empty() && !is_decimal(&text) {
        r.problem(
            &Reading::path(c, name),
            Problem::Number {
                element: name,
                value: text.clone(),
                unit: NumberUnit::Feet,
            },
        );
    }
    text
}

/// `xs:decimal`: an optional sign, digits, an optional point and digits.
fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    (!whole.is_empty() || !fraction.is_empty())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_as_the_schema_reads_them() {
        for good in ["0", "-12.5", "+3", ".5", "7."] {
            assert!(is_decimal(good), "{good}");
        }
        for bad in ["", ".", "1e3", "1000 ft", "-"] {
            assert!(!is_decimal(bad), "{bad}");
        }
    }
}
