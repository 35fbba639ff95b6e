//! Plans (预案).
//!
//! Rules (分级负责):
//! - A plan's author must cover the plan's region; it is the plan's owner.
//!   A new version is registered by the plan's owner or a post above it,
//!   and needs approval again.
//! - Approval (批准) is by a command post **above** the owner, covering the
//!   plan's region; filing (备案) is with a post strictly above the owner.
//!   No post approves or files its own plan, nor a version it registered
//!   itself.
//! - An activation (预案启动) links a plan to a known incident in the
//!   author's area, and is by the plan's owner or a post above it whose
//!   area contains the plan's region; anyone else is
//!   [`super::ReasonCode::NotAuthorized`]. An activation naming a plan this
//!   ledger does not hold is linked as unknown (its rights are checked
//!   once the plan arrives).
//! - The review is overdue once `now` passes the current version's date.
//!
//! Ledgers written before these rules may hold a plan approved by its own
//! owner (or at its owner's level), or activated by a post below or beside
//! the owner: those entries are now listed in `invalid` with the reason.

use super::pass::{Act, Pass, Problem};
use super::views::{ApprovalRef, PlanActivationRef, PlanLink, PlanVersionView, PlanView};
use crate::authority::Action;
use crate::domain::{PlanActivation, PlanApproval, PlanApprovalKind, PlanRecord};

use super::outcome::Reason;

const PLAN: (&str, &str) = ("plan", "预案");
const VERSION: (&str, &str) = ("plan version", "预案版本");

impl Pass<'_> {
    pub(super) fn plan(&mut self, act: &Act, p: &PlanRecord) -> Result<(), Problem> {
        self.check(&act.post, &Action::Write { scope: &p.region })?;
        let version = PlanVersionView {
            entry: act.id(),
            version: p.version.clone(),
            by: act.who.clone(),
            at_ms: act.at_ms(),
            review_due_ms: p.review_due_ms,
            approvals: Vec::new(),
        };
        let Some(plan) = p.plan else {
            self.index.plans.insert(act.id(), self.views.plans.len());
            self.views.plans.push(PlanView {
                id: act.id(),
                owner: act.who.clone(),
                region: p.region.clone(),
                title: p.title.clone(),
                versions: vec![version],
                current_version: act.id(),
                approved: false,
                filed: false,
                review_due_ms: p.review_due_ms,
                review_overdue: false,
                activations: Vec::new(),
            });
            return Ok(());
        };
        let i = Self::find(&self.index.plans, &plan, PLAN)?;
        let v = &mut self.views.plans[i];
        if v.owner.node != act.item.author && !act.post.level.is_above(v.owner.level) {
            return Err(Reason::not_authorized_rule(
                format!(
                    "only the plan's owner {} or a post above it may register a new version",
                    v.owner.name
                ),
                format!("只有预案编制单位{}或其上级可以修订预案", v.owner.name),
            )
            .into());
        }
        v.title = p.title.clone();
        v.region = p.region.clone();
        v.current_version = act.id();
        v.review_due_ms = p.review_due_ms;
        v.versions.push(version);
        Ok(())
    }

    pub(super) fn plan_approval(&mut self, act: &Act, a: &PlanApproval) -> Result<(), Problem> {
        let i = Self::find(&self.index.plans, &a.plan, PLAN)?;
        self.check(
            &act.post,
            &Action::Write {
                scope: &self.views.plans[i].region,
            },
        )?;
        let v = &mut self.views.plans[i];
        let owner = v.owner.level;
        // Above the owner: never the owner itself, nor a post at its level.
        let above = act.post.level.is_above(owner) && v.owner.node != act.item.author;
        let allowed = match a.kind {
            PlanApprovalKind::Approve => act.post.is_command_post() && above,
            PlanApprovalKind::File => above,
        };
        if !allowed {
            return Err(Reason::not_authorized_rule(
                match a.kind {
                    PlanApprovalKind::Approve => format!(
                        "a plan is approved by a command post above its owner {} ({} level), never by the owner itself",
                        v.owner.name, owner
                    ),
                    PlanApprovalKind::File => format!(
                        "a plan is filed with a post above its owner {} ({} level)",
                        v.owner.name, owner
                    ),
                },
                match a.kind {
                    PlanApprovalKind::Approve => format!(
                        "预案须由编制单位{}（{}）的上级指挥部批准，不能自行批准",
                        v.owner.name,
                        owner.name_zh()
                    ),
                    PlanApprovalKind::File => format!(
                        "预案须报编制单位{}（{}）的上级单位备案",
                        v.owner.name,
                        owner.name_zh()
                    ),
                },
            )
            .into());
        }
        let Some(version) = v.versions.iter_mut().find(|x| x.entry == a.version) else {
            return Err(Reason::unknown_reference(VERSION, &a.version).into());
        };
        if version.by.node == act.item.author {
            return Err(Reason::not_authorized_rule(
                "a post does not approve or file a plan version it registered itself",
                "不能审批或备案本单位修订的预案版本",
            )
            .into());
        }
        version.approvals.push(ApprovalRef {
            entry: act.id(),
            kind: a.kind,
            by: act.who.clone(),
            at_ms: act.at_ms(),
        });
        Ok(())
    }

    pub(super) fn plan_activation(&mut self, act: &Act, a: &PlanActivation) -> Result<(), Problem> {
        let n = self.incident_in_reach(act, &a.incident)?;
        let known = self.index.plans.get(&a.plan).copied();
        if let Some(p) = known {
            let plan = &self.views.plans[p];
            let owner = plan.owner.node == act.item.author;
            let above = act.post.level.is_above(plan.owner.level)
                && plan.region.is_within(&act.post.region);
            if !owner && !above {
                return Err(Reason::not_authorized_rule(
                    format!(
                        "only the plan's owner {} or a post above it may activate the plan",
                        plan.owner.name
                    ),
                    format!("只有预案编制单位{}或其上级可以启动该预案", plan.owner.name),
                )
                .into());
            }
        }
        self.views.incidents[n].plans.push(PlanLink {
            plan: a.plan,
            entry: act.id(),
            by: act.who.clone(),
            at_ms: act.at_ms(),
            known: known.is_some(),
        });
        if let Some(p) = known {
            self.views.plans[p].activations.push(PlanActivationRef {
                incident: a.incident,
                entry: act.id(),
                by: act.who.clone(),
                at_ms: act.at_ms(),
            });
        }
        Ok(())
    }

    pub(super) fn finish_plans(&mut self) {
        for p in &mut self.views.plans {
            let current = p.versions.iter().find(|v| v.entry == p.current_version);
            let has = |kind| current.is_some_and(|v| v.approvals.iter().any(|a| a.kind == kind));
            p.approved = has(PlanApprovalKind::Approve);
            p.filed = has(PlanApprovalKind::File);
        }
    }
}
