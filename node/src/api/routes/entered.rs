//! Who entered what: the signed-in operator the access check put into a
//! request (`service::operator::SignedIn`), as the operator recorded inside
//! the entries the request writes (`liandong_protocol::Operator`).

use axum::Extension;
use axum::http::StatusCode;
use liandong_protocol::Operator;

use crate::api::ApiError;
use crate::domain::error::split_bilingual;
use crate::service::operator::SignedIn;

/// What a writing route takes from the request: the operator, when the
/// post has accounts and the request signed in (absent otherwise, and then
/// entries are written without one, as before accounts existed).
pub type Entered = Option<Extension<SignedIn>>;

/// The operator to record for a request, if any. An account whose names
/// cannot be recorded is refused rather than written anonymously: an
/// entry must never lose who entered it without anyone noticing.
pub fn operator(entered: Entered) -> Result<Option<Operator>, ApiError> {
    let Some(Extension(who)) = entered else {
        return Ok(None);
    };
    Operator::new(&who.account, &who.display)
        .map(Some)
        .map_err(|e| {
            let (en, zh) = split_bilingual(&e.to_string());
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "operator_unrecordable",
                format!("无法在条目中记录当前操作员（{zh}），请管理员修改该账号"),
                format!(
                    "the signed-in operator cannot be recorded in an entry ({en}); \
                     an admin must correct the account"
                ),
            )
        })
}
