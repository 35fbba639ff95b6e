//! Incidents: reports create and update them; consultations and releases
//! attach to them; deadlines are measured on them.
//!
//! Rules:
//! - A 首报 creates the incident; its author must cover the incident region.
//! - Later reports must name a known incident, and their author must cover
//!   the incident's region (as the 首报 gave it).
//! - The latest applied report is the incident's state.
//! - A 终报 closes the incident. A 续报 or 终报 after that is a conflict
//!   ([`ConflictRule::ClosedIncident`]) and is never applied, whoever sends
//!   it: a new development is a new incident (首报), or the incident is
//!   reopened explicitly.
//! - A 重开 ([`Phase::Reopen`]) reopens a closed incident; only the post that
//!   closed it, or a post above that one, may send it
//!   ([`ReasonCode::NotAuthorized`] otherwise). A 重开 of an open incident is
//!   [`ReasonCode::NotClosed`].
//! - A 核报 is a correction and applies before or after closing.
//!
//! Ledgers written before these rules may hold a 续报 by a higher post after
//! a 终报, which used to reopen the incident: it is now listed as an
//! unapplied conflict and the incident stays closed.

use super::outcome::{Conflict, ConflictRule, Reason, ReasonCode};
use super::pass::{Act, Pass, Problem};
use super::views::{Closure, ConsultationView, IncidentView, ReleaseView, ReportRef};
use crate::authority::Action;
use crate::domain::{Consultation, IncidentReport, InfoRelease, Phase};
use crate::ids::EntryId;
use crate::region::RegionCode;

pub(super) const INCIDENT: (&str, &str) = ("incident", "事件");

impl<'c> Pass<'c> {
    pub(super) fn incident_report(
        &mut self,
        act: &Act,
        r: &'c IncidentReport,
    ) -> Result<(), Problem> {
        let reference = ReportRef {
            entry: act.id(),
            phase: r.phase,
            by: act.who.clone(),
            at_ms: act.at_ms(),
        };
        let Some(incident) = r.incident else {
            self.check(&act.post, &Action::Write { scope: &r.region })?;
            self.index
                .incidents
                .insert(act.id(), self.views.incidents.len());
            self.latest_reports.push(None);
            self.views.incidents.push(IncidentView {
                id: act.id(),
                region: r.region.clone(),
                reported_by: act.who.clone(),
                first_report_ms: act.at_ms(),
                last_report_ms: act.at_ms(),
                current: r.clone(),
                verified: false,
                closed: None,
                reports: vec![reference],
                response: None,
                decisions: Vec::new(),
                plans: Vec::new(),
                consultations: Vec::new(),
                releases: Vec::new(),
                deadlines: Default::default(),
            });
            return Ok(());
        };
        let i = self.incident_in_reach(act, &incident)?;
        let v = &mut self.views.incidents[i];
        match (&v.closed, r.phase) {
            (Some(_), Phase::Verified) | (None, Phase::Update | Phase::Final | Phase::Verified) => {
            }
            (Some(closed), Phase::Reopen) => {
                let closer = act.item.author == closed.by.node;
                if !closer && !act.post.level.is_above(closed.by.level) {
                    return Err(Reason::not_authorized_rule(
                        format!(
                            "only {}, which closed the incident, or a post above it may reopen it",
                            closed.by.name
                        ),
                        format!("只有作出终报的{}或其上级可以重开事件", closed.by.name),
                    )
                    .into());
                }
                v.closed = None;
            }
            (None, Phase::Reopen) => {
                return Err(Reason::new(
                    ReasonCode::NotClosed,
                    "the incident is not closed; there is nothing to reopen",
                    "事件尚未终报，无需重开",
                )
                .into());
            }
            (Some(closed), _) => {
                return Err(Conflict {
                    rule: ConflictRule::ClosedIncident,
                    subject: incident,
                    entry: act.id(),
                    by: act.who.clone(),
                    at_ms: act.at_ms(),
                    other: Some(closed.entry),
                    applied: false,
                    en: format!(
                        "{} sent a {} on an incident {} had already closed (终报); not applied — \
                         report a new incident, or have the closing post reopen it",
                        act.who.name, r.phase, closed.by.name
                    ),
                    zh: format!(
                        "{}对{}已终报的事件发送{}，未予采纳；请作为新事件首报，或由终报单位重开事件",
                        act.who.name,
                        closed.by.name,
                        r.phase.name_zh()
                    ),
                }
                .into());
            }
            // A 首报 names no incident; one that does is read as a 续报.
            (None, Phase::Initial) => {}
        }
        self.latest_reports[i] = Some(r);
        v.verified = r.phase == Phase::Verified;
        v.last_report_ms = act.at_ms();
        v.reports.push(reference);
        if r.phase == Phase::Final {
            v.closed = Some(Closure {
                entry: act.id(),
                by: act.who.clone(),
                at_ms: act.at_ms(),
            });
        }
        Ok(())
    }

    pub(super) fn consultation(&mut self, act: &Act, c: &Consultation) -> Result<(), Problem> {
        let i = self.incident_in_reach(act, &c.incident)?;
        self.views.incidents[i]
            .consultations
            .push(ConsultationView {
                entry: act.id(),
                by: act.who.clone(),
                at_ms: act.at_ms(),
                topic: c.topic.clone(),
                participants: c.participants.clone(),
                assessment: c.assessment.clone(),
                decisions: c.decisions.clone(),
            });
        Ok(())
    }

    pub(super) fn info_release(&mut self, act: &Act, r: &InfoRelease) -> Result<(), Problem> {
        let i = self.incident_in_reach(act, &r.incident)?;
        self.views.incidents[i].releases.push(ReleaseView {
            entry: act.id(),
            by: act.who.clone(),
            at_ms: act.at_ms(),
            channel: r.channel.clone(),
            headline: r.headline.clone(),
            text: r.text.clone(),
        });
        Ok(())
    }

    /// The incident's position, if it is known and its region is within
    /// the author's area.
    pub(super) fn incident_in_reach(&self, act: &Act, id: &EntryId) -> Result<usize, Problem> {
        let i = Self::find(&self.index.incidents, id, INCIDENT)?;
        let region: &RegionCode = &self.views.incidents[i].region;
        self.check(&act.post, &Action::Write { scope: region })?;
        Ok(i)
    }

    pub(super) fn finish_incidents(&mut self) {
        let policy = self.ctx.deadlines;
        let cadence = policy.update_every_ms();
        for (v, latest) in self.views.incidents.iter_mut().zip(&self.latest_reports) {
            if let Some(r) = latest {
                v.current = (*r).clone();
            }
            let d = &mut v.deadlines;
            d.first_report_deadline_ms = policy.first_report_ms(v.current.event.category);
            d.first_report_latency_ms = v.first_report_ms.saturating_sub(v.current.occurred_ms);
            d.first_report_late = d.first_report_latency_ms > d.first_report_deadline_ms;
            // Gaps count while the incident was open: up to the closing report.
            let until = v.closed.as_ref().map_or(u64::MAX, |c| c.at_ms);
            let times: Vec<u64> = v
                .reports
                .iter()
                .map(|r| r.at_ms)
                .filter(|t| *t <= until)
                .collect();
            let gaps = times.windows(2).map(|w| w[1].saturating_sub(w[0]));
            d.max_update_gap_ms = gaps.clone().max().unwrap_or(0);
            d.late_updates =
                u32::try_from(gaps.filter(|g| *g > cadence).count()).unwrap_or(u32::MAX);
            d.next_update_due_ms = v
                .closed
                .is_none()
                .then(|| v.last_report_ms.saturating_add(cadence));
        }
    }
}
