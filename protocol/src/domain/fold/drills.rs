//! The drill registry (演练). Drill records are folded into every track, so
//! reality's views list the drills under way without showing their entries.
//!
//! Rules: a drill's author covers its region; it is ended by the post that
//! started it or a post above it, once.

use super::outcome::{Reason, ReasonCode};
use super::pass::{Act, Pass, Problem};
use super::views::{DrillEnded, DrillView};
use crate::authority::Action;
use crate::domain::{DrillEnd, DrillStart};

const DRILL: (&str, &str) = ("drill", "演练");

impl Pass<'_> {
    pub(super) fn drill_start(&mut self, act: &Act, d: &DrillStart) -> Result<(), Problem> {
        self.check(&act.post, &Action::Write { scope: &d.region })?;
        self.index.drills.insert(act.id(), self.views.drills.len());
        self.views.drills.push(DrillView {
            id: act.id(),
            name: d.name.clone(),
            scenario: d.scenario.clone(),
            region: d.region.clone(),
            plan: d.plan,
            started_by: act.who.clone(),
            started_ms: act.at_ms(),
            ended: None,
            entries: 0,
        });
        Ok(())
    }

    pub(super) fn drill_end(&mut self, act: &Act, e: &DrillEnd) -> Result<(), Problem> {
        let i = Self::find(&self.index.drills, &e.drill, DRILL)?;
        self.check(
            &act.post,
            &Action::Write {
                scope: &self.views.drills[i].region,
            },
        )?;
        let v = &mut self.views.drills[i];
        if v.started_by.node != act.item.author && !act.post.level.is_above(v.started_by.level) {
            return Err(Reason::not_authorized_rule(
                format!(
                    "only {}, who started the drill, or a post above it may end it",
                    v.started_by.name
                ),
                format!("只有演练发起单位{}或其上级可以结束演练", v.started_by.name),
            )
            .into());
        }
        if let Some(ended) = &v.ended {
            return Err(Reason::new(
                ReasonCode::AlreadyDone,
                format!("the drill was already ended by {}", ended.by.name),
                format!("演练已由{}结束", ended.by.name),
            )
            .into());
        }
        v.ended = Some(DrillEnded {
            entry: act.id(),
            by: act.who.clone(),
            at_ms: act.at_ms(),
            summary: e.summary.clone(),
        });
        Ok(())
    }
}
