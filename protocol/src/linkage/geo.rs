//! WGS-84 points and polygons, in integer micro-degrees.
//!
//! Integers, not floats: the encoding must be canonical (one value, one byte
//! string) and bodies compare with `Eq`. A micro-degree is about 0.11 m,
//! finer than any position an operator reports.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::rules::MAX_POLYGON_POINTS;
use crate::body_rules::BodyError;
use crate::body_rules::DomainError;

const MICRO: f64 = 1_000_000.0;

/// A WGS-84 position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Latitude in micro-degrees, −90° … 90°.
    pub lat_e6: i32,
    /// Longitude in micro-degrees, −180° … 180°.
    pub lon_e6: i32,
}

impl GeoPoint {
    pub fn check(&self) -> Result<(), BodyError> {
        if self.lat_e6.unsigned_abs() > 90_000_000 {
            return Err(DomainError::OutOfRange {
                field: "latitude",
                value: self.to_string(),
                expected: "−90…90",
            }
            .into());
        }
        if self.lon_e6.unsigned_abs() > 180_000_000 {
            return Err(DomainError::OutOfRange {
                field: "longitude",
                value: self.to_string(),
                expected: "−180…180",
            }
            .into());
        }
        Ok(())
    }

    /// Checks a CAP-style closed polygon: 4 or more points, first = last.
    pub fn check_polygon(points: &[GeoPoint]) -> Result<(), BodyError> {
        let bad = DomainError::BadPolygon {
            max: MAX_POLYGON_POINTS,
        };
        if points.len() < 4 || points.len() > MAX_POLYGON_POINTS || points.first() != points.last()
        {
            return Err(bad.into());
        }
        points.iter().try_for_each(GeoPoint::check)
    }
}

impl fmt::Display for GeoPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:.6},{:.6}",
            f64::from(self.lat_e6) / MICRO,
            f64::from(self.lon_e6) / MICRO
        )
    }
}

/// The text is not `lat,lon` in decimal degrees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot read position {0:?}; write latitude,longitude in degrees, e.g. 44.33,85.62 / 坐标格式应为 纬度,经度"
)]
pub struct GeoParseError(pub String);

impl FromStr for GeoPoint {
    type Err = GeoParseError;

    /// Parses `lat,lon` in decimal degrees (WGS-84).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || GeoParseError(s.to_string());
        let (lat, lon) = s.trim().split_once(',').ok_or_else(err)?;
        let deg = |t: &str| -> Result<i32, GeoParseError> {
            let v: f64 = t.trim().parse().map_err(|_| err())?;
            if !v.is_finite() || v.abs() > 180.0 {
                return Err(err());
            }
            // In range, so the cast cannot saturate.
            Ok((v * MICRO).round() as i32)
        };
        let p = GeoPoint {
            lat_e6: deg(lat)?,
            lon_e6: deg(lon)?,
        };
        p.check().map_err(|_| err())?;
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_bounds() {
        let p: GeoPoint = "44.331234,85.620001".parse().expect("point");
        assert_eq!(
            p,
            GeoPoint {
                lat_e6: 44_331_234,
                lon_e6: 85_620_001
            }
        );
        assert_eq!(p.to_string(), "44.331234,85.620001");
        assert!("91,0".parse::<GeoPoint>().is_err());
        assert!("NaN,0".parse::<GeoPoint>().is_err());
        assert!("44.3".parse::<GeoPoint>().is_err());
        assert!(
            GeoPoint {
                lat_e6: 0,
                lon_e6: 180_000_001
            }
            .check()
            .is_err()
        );
    }

    #[test]
    fn polygons_are_closed() {
        let p = |a, b| GeoPoint {
            lat_e6: a,
            lon_e6: b,
        };
        let ring = [p(0, 0), p(0, 1), p(1, 1), p(0, 0)];
        assert_eq!(GeoPoint::check_polygon(&ring), Ok(()));
        assert!(GeoPoint::check_polygon(&ring[..3]).is_err());
        assert!(GeoPoint::check_polygon(&[p(0, 0), p(0, 1), p(1, 1), p(1, 0)]).is_err());
    }
}
