//! Rescue forces (救援力量储备库).
//!
//! Rules (分级负责):
//! - A registration's author must cover the force's region (the generic
//!   write rule on that region); it becomes the force's owner. Forces are a
//!   registry: folded into every track, written for real only.
//! - An update names the force and is by its owner, or by a post above the
//!   owner whose area contains the force's region; anyone else is
//!   [`super::ReasonCode::NotAuthorized`], listed in `invalid` with the
//!   reason. An update naming a force this ledger does not hold is
//!   [`super::ReasonCode::UnknownReference`] until the registration arrives.
//! - Each record is the whole force; the latest applied record (by HLC,
//!   then id: the fold's canonical order) is the force's state.
//! - `assigned_to` is resolved against this track's tasks and commitments
//!   once every entry is folded, so the order the entries arrived in does
//!   not matter; a name it cannot resolve is shown as unknown, never an
//!   exclusion (a drill's task is not in reality's views).

use super::outcome::Reason;
use super::pass::{Act, Pass, Problem};
use super::views::{AssignmentKind, ForceAssignment, ForceView};
use crate::authority::Action;
use crate::domain::RescueForce;

const FORCE: (&str, &str) = ("rescue force", "救援力量");

impl Pass<'_> {
    pub(super) fn rescue_force(&mut self, act: &Act, f: &RescueForce) -> Result<(), Problem> {
        let Some(force) = f.force else {
            self.check(&act.post, &Action::Write { scope: &f.region })?;
            self.index.forces.insert(act.id(), self.views.forces.len());
            self.views.forces.push(ForceView {
                id: act.id(),
                owner: act.who.clone(),
                registered_ms: act.at_ms(),
                current: f.clone(),
                current_entry: act.id(),
                updated_by: act.who.clone(),
                updated_ms: act.at_ms(),
                records: vec![act.id()],
                assignment: None,
            });
            return Ok(());
        };
        let i = Self::find(&self.index.forces, &force, FORCE)?;
        // Whose force it is comes first: it is the refusal that tells a
        // post what to do (ask the owner).
        let v = &self.views.forces[i];
        let owner = v.owner.node == act.item.author;
        let above =
            act.post.level.is_above(v.owner.level) && v.current.region.is_within(&act.post.region);
        if !owner && !above {
            return Err(Reason::not_authorized_rule(
                format!(
                    "only the force's owner {} or a post above it may update the force",
                    v.owner.name
                ),
                format!(
                    "只有救援力量的登记单位{}或其上级可以更新该力量",
                    v.owner.name
                ),
            )
            .into());
        }
        // A force moved to another region stays within its updater's area.
        self.check(&act.post, &Action::Write { scope: &f.region })?;
        let v = &mut self.views.forces[i];
        v.current = f.clone();
        v.current_entry = act.id();
        v.updated_by = act.who.clone();
        v.updated_ms = act.at_ms();
        v.records.push(act.id());
        Ok(())
    }

    pub(super) fn finish_forces(&mut self) {
        for f in &mut self.views.forces {
            f.assignment = f.current.assigned_to.map(|entry| {
                let task = self.index.tasks.get(&entry).map(|&i| &self.views.tasks[i]);
                let commit = self
                    .index
                    .commits
                    .get(&entry)
                    .map(|&i| &self.views.commits[i]);
                let (kind, label) = match (task, commit) {
                    (Some(t), _) => (AssignmentKind::Task, t.objective.clone()),
                    (None, Some(c)) => (
                        AssignmentKind::Commit,
                        self.index
                            .offers
                            .get(&c.offer)
                            .map(|&o| self.views.offers[o].resource.item.clone())
                            .unwrap_or_default(),
                    ),
                    (None, None) => (AssignmentKind::Unknown, String::new()),
                };
                ForceAssignment { entry, kind, label }
            });
        }
    }
}
