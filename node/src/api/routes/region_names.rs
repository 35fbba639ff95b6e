//! `GET /api/region-names?codes=654203,654203106`: the names of region
//! codes, so the console shows 沙湾市 where a list holds 654203.
//!
//! Names come from the node's region tables (`crate::regions`); a code no
//! table knows has no entry in the answer, and the console shows the code.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::Query;
use axum::http::StatusCode;
use liandong_protocol::RegionCode;
use serde::{Deserialize, Serialize};

use crate::api::ApiError;
use crate::regions;

/// Most codes one request may ask about; a console page names far fewer.
pub const MAX_REGION_NAME_CODES: usize = 500;

#[derive(Debug, Deserialize)]
pub struct NamesQuery {
    /// Comma-separated region codes.
    #[serde(default)]
    codes: String,
}

#[derive(Debug, Serialize)]
pub struct Named {
    pub name: String,
    /// Which table, and which year, the name comes from.
    pub source: String,
}

pub async fn names(Query(q): Query<NamesQuery>) -> Result<Json<BTreeMap<String, Named>>, ApiError> {
    let codes: Vec<&str> = q
        .codes
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    if codes.len() > MAX_REGION_NAME_CODES {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "too_many_codes",
            format!("一次最多查询 {MAX_REGION_NAME_CODES} 个区划代码"),
            format!("at most {MAX_REGION_NAME_CODES} region codes per request"),
        ));
    }
    let mut out = BTreeMap::new();
    for code in codes {
        // A malformed code has no name; it is not an error for a lookup.
        let Ok(parsed) = code.parse::<RegionCode>() else {
            continue;
        };
        if let Some(n) = regions::lookup(&parsed) {
            out.insert(
                code.to_string(),
                Named {
                    name: n.name,
                    source: n.source,
                },
            );
        }
    }
    Ok(Json(out))
}
