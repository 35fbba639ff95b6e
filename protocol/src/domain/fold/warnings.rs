//! Warnings.
//!
//! Rules:
//! - Issuing, updating and cancelling need the warning-issuer role and an
//!   area within the author's ([`Action::Warn`]); an update or cancel must
//!   also cover the warning's current area.
//! - The version in force is the one by the highest post; among posts of
//!   one level, the latest (HLC, then entry id). A version by a lower post
//!   after a higher post's is a [`ConflictRule::WarningOverridden`]
//!   conflict: kept in the history, not in force.
//! - Status (pending, active, expired, cancelled) is computed at `now`
//!   (`time.rs`).

use super::outcome::{Conflict, ConflictRule, Reason};
use super::pass::{Act, Pass, Problem};
use super::views::{WarningStatus, WarningVersion, WarningView};
use crate::authority::Action;
use crate::domain::Warning;

const WARNING: (&str, &str) = ("warning", "预警");

impl Pass<'_> {
    pub(super) fn warning(&mut self, act: &Act, w: &Warning) -> Result<(), Problem> {
        let (target, info, reason, action) = match w {
            Warning::Issue { info, .. } => {
                self.check(&act.post, &Action::Warn { area: &info.area })?;
                self.index
                    .warnings
                    .insert(act.id(), self.views.warnings.len());
                self.views.warnings.push(WarningView {
                    id: act.id(),
                    issued_by: act.who.clone(),
                    issued_ms: act.at_ms(),
                    current: info.clone(),
                    current_entry: act.id(),
                    current_by: act.who.clone(),
                    status: WarningStatus::Pending,
                    cancel_reason: None,
                    history: vec![WarningVersion {
                        entry: act.id(),
                        action: "issue".into(),
                        by: act.who.clone(),
                        at_ms: act.at_ms(),
                        overridden: false,
                    }],
                    external: None,
                });
                return Ok(());
            }
            Warning::Update { warning, info, .. } => (warning, Some(info), None, "update"),
            Warning::Cancel {
                warning, reason, ..
            } => (warning, None, Some(reason), "cancel"),
        };
        let i = Self::find(&self.index.warnings, target, WARNING)?;
        if self.views.warnings[i].external.is_some() {
            return Err(Reason::not_authorized_rule(
                "an external (CAP) warning changes only by its sender's messages; import its update or cancel",
                "外部预警只能由发布方的更新或解除消息变更，请导入其 CAP 消息",
            )
            .into());
        }
        self.check(
            &act.post,
            &Action::Warn {
                area: &self.views.warnings[i].current.area,
            },
        )?;
        if let Some(info) = info {
            self.check(&act.post, &Action::Warn { area: &info.area })?;
        }
        let v = &mut self.views.warnings[i];
        let mut version = WarningVersion {
            entry: act.id(),
            action: action.into(),
            by: act.who.clone(),
            at_ms: act.at_ms(),
            overridden: false,
        };
        if v.current_by.level.is_above(act.post.level) {
            version.overridden = true;
            v.history.push(version);
            return Err(Conflict {
                rule: ConflictRule::WarningOverridden,
                subject: *target,
                entry: act.id(),
                by: act.who.clone(),
                at_ms: act.at_ms(),
                other: Some(v.current_entry),
                applied: false,
                en: format!(
                    "{} tried to {action} a warning last set by {}, a higher post; not applied",
                    act.who.name, v.current_by.name
                ),
                zh: format!(
                    "{}试图{}由上级{}发布的预警，未予采纳",
                    act.who.name,
                    if action == "update" {
                        "变更"
                    } else {
                        "解除"
                    },
                    v.current_by.name
                ),
            }
            .into());
        }
        if let Some(info) = info {
            v.current = info.clone();
            v.cancel_reason = None;
        }
        if let Some(reason) = reason {
            v.cancel_reason = Some(reason.clone());
        }
        v.current_entry = act.id();
        v.current_by = act.who.clone();
        v.history.push(version);
        Ok(())
    }
}
