//! Response decisions.
//!
//! Rules:
//! - The incident must be known; the authority policy must allow the
//!   author the decided level in the incident's region
//!   ([`Action::Respond`]: 分级负责).
//! - Authority first: the decision in force is the one by the highest post
//!   (every post allowed to decide covers the incident's region, so posts
//!   that decide on one incident are each other's ancestors: "higher"
//!   always means "above, within its subtree"). Among decisions of posts of
//!   the same level, the later HLC wins, then the larger entry id.
//! - A decision by a lower post after a higher post has decided is a
//!   conflict ([`ConflictRule::ResponseOverridden`]): kept in the history,
//!   marked overridden, not in force.
//! - Activating or adjusting a response for a closed incident is a
//!   [`ConflictRule::ClosedIncident`] conflict, applied only when the author
//!   is above the post that closed it. Terminating is always allowed.

use super::outcome::{Conflict, ConflictRule};
use super::pass::{Act, Pass, Problem};
use super::views::{DecisionRef, PlanActivationRef, PlanLink, ResponseView};
use crate::authority::Action;
use crate::domain::{ResponseAction, ResponseDecision};

impl Pass<'_> {
    pub(super) fn response_decision(
        &mut self,
        act: &Act,
        d: &ResponseDecision,
    ) -> Result<(), Problem> {
        let i = Self::find(
            &self.index.incidents,
            &d.incident,
            super::incidents::INCIDENT,
        )?;
        self.check(
            &act.post,
            &Action::Respond {
                level: d.level,
                region: &self.views.incidents[i].region,
            },
        )?;
        let mut record = DecisionRef {
            entry: act.id(),
            action: d.action,
            level: d.level,
            by: act.who.clone(),
            at_ms: act.at_ms(),
            overridden: false,
        };
        let v = &mut self.views.incidents[i];
        if let Some(closed) = &v.closed
            && d.action != ResponseAction::Terminate
        {
            let higher = act.post.level.is_above(closed.by.level);
            let conflict = Conflict {
                rule: ConflictRule::ClosedIncident,
                subject: d.incident,
                entry: act.id(),
                by: act.who.clone(),
                at_ms: act.at_ms(),
                other: Some(closed.entry),
                applied: higher,
                en: format!(
                    "{} decided a level {} response for an incident {} had closed{}",
                    act.who.name,
                    d.level,
                    closed.by.name,
                    if higher {
                        "; applied, as a higher post"
                    } else {
                        "; not applied"
                    }
                ),
                zh: format!(
                    "{}对{}已终报的事件作出{}级响应决定{}",
                    act.who.name,
                    closed.by.name,
                    d.level,
                    if higher {
                        "，因其级别更高予以采纳"
                    } else {
                        "，未予采纳"
                    }
                ),
            };
            if !higher {
                return Err(conflict.into());
            }
            self.views.conflicts.push(conflict);
        }
        if let Some(current) = &v.response
            && current.decided_by.level.is_above(act.post.level)
        {
            record.overridden = true;
            let conflict = Conflict {
                rule: ConflictRule::ResponseOverridden,
                subject: d.incident,
                entry: act.id(),
                by: act.who.clone(),
                at_ms: act.at_ms(),
                other: Some(current.entry),
                applied: false,
                en: format!(
                    "{} ({}) decided to {} level {}, but {} ({}) had decided level {}; \
                     the higher post's decision stands",
                    act.who.name,
                    act.post.level,
                    d.action,
                    d.level,
                    current.decided_by.name,
                    current.decided_by.level,
                    current.level
                ),
                zh: format!(
                    "{}（{}）决定{}{}级响应，但上级{}（{}）已决定{}级响应，以上级决定为准",
                    act.who.name,
                    act.post.level.name_zh(),
                    d.action.name_zh(),
                    d.level,
                    current.decided_by.name,
                    current.decided_by.level.name_zh(),
                    current.level
                ),
            };
            v.decisions.push(record);
            return Err(conflict.into());
        }
        let first_activated_ms = v
            .response
            .as_ref()
            .and_then(|r| r.first_activated_ms)
            .or((d.action != ResponseAction::Terminate).then_some(act.at_ms()));
        v.response = Some(ResponseView {
            active: d.action != ResponseAction::Terminate,
            level: d.level,
            action: d.action,
            entry: act.id(),
            decided_by: act.who.clone(),
            decided_ms: act.at_ms(),
            plan: d.plan,
            lead_hq: d.lead_hq.clone(),
            member_units: d.member_units.clone(),
            first_activated_ms,
        });
        v.decisions.push(record);
        if let Some(plan) = d.plan {
            let known = self.index.plans.get(&plan).copied();
            v.plans.push(PlanLink {
                plan,
                entry: act.id(),
                by: act.who.clone(),
                at_ms: act.at_ms(),
                known: known.is_some(),
            });
            if let Some(p) = known {
                self.views.plans[p].activations.push(PlanActivationRef {
                    incident: d.incident,
                    entry: act.id(),
                    by: act.who.clone(),
                    at_ms: act.at_ms(),
                });
            }
        }
        Ok(())
    }
}
