//! External warnings (CAP alerts recorded by a post).
//!
//! Rules:
//! - Any post may record what it received (the entry names the CAP sender;
//!   the post signs only that it recorded it). The ordinary write rule
//!   (scope within the author's region) applies; no role is needed, since
//!   nothing is issued in the post's name.
//! - A warning is known by its first message's `sender` and `identifier`.
//!   The same pair recorded again (two posts got the same alert) is a
//!   duplicate: kept in the history, changing nothing.
//! - An Update or Cancel applies to the warning holding the first of its
//!   `references` that this post knows; one whose references are all
//!   unknown starts a warning of its own (its references are kept).
//! - Among the messages of one warning, the latest CAP `sent` is in force
//!   (ties: ledger order); an older one arriving late is kept in the
//!   history as overridden. Status is computed at `now` like any warning.

use super::pass::{Act, Pass, Problem};
use super::views::{CapMessage, ExternalView, WarningStatus, WarningVersion, WarningView};
use crate::domain::cap::mapping;
use crate::domain::cap::{CapAlert, CapMsgType, ExternalWarning};
use crate::ids::EntryId;

impl Pass<'_> {
    pub(super) fn external_warning(
        &mut self,
        act: &Act,
        w: &ExternalWarning,
    ) -> Result<(), Problem> {
        let alert = &w.alert;
        let key = (alert.sender.clone(), alert.identifier.clone());
        let version = |action: &str, overridden: bool| WarningVersion {
            entry: act.id(),
            action: action.into(),
            by: act.who.clone(),
            at_ms: act.at_ms(),
            overridden,
        };
        if let Some(&i) = self.index.external.get(&key) {
            self.views.warnings[i]
                .history
                .push(version("duplicate", true));
            return Ok(());
        }
        let target = match alert.msg_type {
            CapMsgType::Alert => None,
            _ => alert.references.iter().find_map(|r| {
                self.index
                    .external
                    .get(&(r.sender.clone(), r.identifier.clone()))
                    .copied()
            }),
        };
        let action = match alert.msg_type {
            CapMsgType::Cancel => "cancel",
            CapMsgType::Update => "update",
            _ => "issue",
        };
        let (info, graded) = mapping::warning_info(alert);
        let cancel_reason = (alert.msg_type == CapMsgType::Cancel).then(|| cancel_reason(w));
        let Some(i) = target else {
            self.index.external.insert(key, self.views.warnings.len());
            self.index
                .warnings
                .insert(act.id(), self.views.warnings.len());
            self.views.warnings.push(WarningView {
                id: act.id(),
                issued_by: act.who.clone(),
                issued_ms: act.at_ms(),
                current: info,
                current_entry: act.id(),
                current_by: act.who.clone(),
                status: WarningStatus::Pending,
                cancel_reason,
                history: vec![version(action, false)],
                external: Some(Box::new(ExternalView {
                    alert: alert.clone(),
                    graded,
                    messages: vec![message(alert, act.id())],
                })),
            });
            return Ok(());
        };
        self.index.external.insert(key, i);
        let v = &mut self.views.warnings[i];
        let newer = v
            .external
            .as_ref()
            .is_none_or(|e| alert.sent.ms >= e.alert.sent.ms);
        v.history.push(version(action, !newer));
        let mut messages = v
            .external
            .as_ref()
            .map(|e| e.messages.clone())
            .unwrap_or_default();
        messages.push(message(alert, act.id()));
        if newer {
            v.current = info;
            v.cancel_reason = cancel_reason;
            v.current_entry = act.id();
            v.current_by = act.who.clone();
            v.external = Some(Box::new(ExternalView {
                alert: alert.clone(),
                graded,
                messages,
            }));
        } else if let Some(e) = v.external.as_mut() {
            e.messages = messages;
        }
        Ok(())
    }
}

fn message(alert: &CapAlert, entry: EntryId) -> CapMessage {
    CapMessage {
        sender: alert.sender.clone(),
        identifier: alert.identifier.clone(),
        sent: alert.sent,
        msg_type: alert.msg_type,
        entry,
    }
}

/// What a Cancel says about why: its note, else its headline, else that
/// the sender cancelled it.
fn cancel_reason(w: &ExternalWarning) -> String {
    let headline = mapping::primary(&w.alert)
        .map(|i| i.headline.trim())
        .unwrap_or_default();
    [w.alert.note.trim(), headline]
        .into_iter()
        .find(|s| !s.is_empty())
        .map_or_else(
            || format!("cancelled by {} / 发布方已解除", w.alert.sender),
            str::to_string,
        )
}
