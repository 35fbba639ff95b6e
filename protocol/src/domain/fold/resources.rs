//! Resources: requests, offers, commitments and deployment status.
//!
//! Rules:
//! - Anyone may request and offer within their area. An offer's author is
//!   its owner.
//! - Only the owner commits an offer ([`ReasonCode::NotOwner`] otherwise);
//!   the commit names a known offer and a known request.
//! - Commitments are taken in canonical order (HLC, then entry id). One
//!   that asks for more than the offer has left is a
//!   [`ConflictRule::OverCommit`] conflict and is not applied, so an
//!   offer's remaining quantity never goes below zero.
//! - One that asks for more than the request still needs (its quantity
//!   less what is already committed) is a [`ConflictRule::OverRequest`]
//!   conflict and is not applied, unless it is explicitly marked as
//!   surplus (超额承诺: `ResourceCommit::surplus`, the entry kind
//!   `resource_commit_surplus`); the request then shows as overfilled.
//! - Status moves forward only: committed → dispatched → arrived →
//!   delivered → released | returned (steps may be skipped). Going back, or
//!   anything after released / returned, is a
//!   [`ConflictRule::StatusRegressed`] conflict.
//! - Each side reports what it can witness ([`ReasonCode::NotParty`]
//!   otherwise): the committing side (the offer's owner) reports
//!   `dispatched` (it sends) and `returned` (it has the resource back); the
//!   receiving side (the requester) reports `delivered` (receipt) and
//!   `released` (it lets the resource go); either side may report
//!   `arrived`. A post that is both sides reports everything.
//! - A second `delivered`, `released` or `returned` for the same commitment
//!   is a [`ConflictRule::DuplicateStatus`] conflict, not applied. A repeated
//!   `dispatched` or `arrived` is a position update and applies.
//! - Released or returned gives the quantity back to the offer. Returned
//!   before delivery also gives it back to the request: it was never
//!   received, so the request needs it again.
//!
//! Ledgers written before these rules may hold statuses by the wrong side
//! (now in `invalid`, `not_party`), duplicate deliveries and commitments
//! beyond the request (now unapplied conflicts). Excluding a commitment
//! also leaves out the statuses that name it (`unknown_reference`).

use super::outcome::{Conflict, ConflictRule, Reason, ReasonCode};
use super::pass::{Act, Pass, Problem};
use super::views::{CommitView, OfferView, RequestView, StatusRef};
use crate::domain::{
    DeploymentStatus, ResourceCommit, ResourceOffer, ResourceRequest, ResourceStatus,
};

const OFFER: (&str, &str) = ("offer", "资源提供");
const REQUEST: (&str, &str) = ("request", "资源需求");
const COMMIT: (&str, &str) = ("commitment", "资源承诺");

impl Pass<'_> {
    pub(super) fn resource_request(
        &mut self,
        act: &Act,
        r: &ResourceRequest,
    ) -> Result<(), Problem> {
        self.index
            .requests
            .insert(act.id(), self.views.requests.len());
        self.views.requests.push(RequestView {
            id: act.id(),
            by: act.who.clone(),
            at_ms: act.at_ms(),
            incident: r.incident,
            resource: r.resource.clone(),
            quantity: r.quantity,
            deliver_to: r.deliver_to.clone(),
            needed_by_ms: r.needed_by_ms,
            note: r.note.clone(),
            committed: 0,
            delivered: 0,
            outstanding: r.quantity,
            overfilled: false,
            offers: Vec::new(),
            commits: Vec::new(),
            first_commit_ms: None,
            filled_ms: None,
            overdue: false,
        });
        Ok(())
    }

    pub(super) fn resource_offer(&mut self, act: &Act, o: &ResourceOffer) -> Result<(), Problem> {
        if let Some(request) = &o.request
            && let Some(&r) = self.index.requests.get(request)
        {
            self.views.requests[r].offers.push(act.id());
        }
        self.index.offers.insert(act.id(), self.views.offers.len());
        self.views.offers.push(OfferView {
            id: act.id(),
            owner: act.who.clone(),
            at_ms: act.at_ms(),
            request: o.request,
            resource: o.resource.clone(),
            quantity: o.quantity,
            location: o.location.clone(),
            holder: o.owner.clone(),
            available_from_ms: o.available_from_ms,
            available_until_ms: o.available_until_ms,
            note: o.note.clone(),
            committed: 0,
            remaining: o.quantity,
            commits: Vec::new(),
        });
        Ok(())
    }

    pub(super) fn resource_commit(&mut self, act: &Act, c: &ResourceCommit) -> Result<(), Problem> {
        let o = Self::find(&self.index.offers, &c.offer, OFFER)?;
        let r = Self::find(&self.index.requests, &c.request, REQUEST)?;
        let offer = &mut self.views.offers[o];
        if offer.owner.node != act.item.author {
            return Err(Reason::new(
                ReasonCode::NotOwner,
                format!("only the owner {} may commit this offer", offer.owner.name),
                format!("只有资源所属单位{}可以承诺调拨", offer.owner.name),
            )
            .into());
        }
        if c.quantity > offer.remaining {
            return Err(Conflict {
                rule: ConflictRule::OverCommit,
                subject: c.offer,
                entry: act.id(),
                by: act.who.clone(),
                at_ms: act.at_ms(),
                other: offer.commits.last().copied(),
                applied: false,
                en: format!(
                    "commits {} {} of {}, but only {} remain; not applied",
                    c.quantity, offer.resource.unit, offer.resource.item, offer.remaining
                ),
                zh: format!(
                    "承诺{}{}{}，但仅剩{}{}，未予采纳",
                    offer.resource.item,
                    c.quantity,
                    offer.resource.unit,
                    offer.remaining,
                    offer.resource.unit
                ),
            }
            .into());
        }
        let request = &self.views.requests[r];
        if !c.surplus && c.quantity > request.outstanding {
            return Err(Conflict {
                rule: ConflictRule::OverRequest,
                subject: c.request,
                entry: act.id(),
                by: act.who.clone(),
                at_ms: act.at_ms(),
                other: request.commits.last().copied(),
                applied: false,
                en: format!(
                    "commits {} {} of {}, but the request still needs only {}; not applied \
                     (mark it as surplus to commit more)",
                    c.quantity, offer.resource.unit, offer.resource.item, request.outstanding
                ),
                zh: format!(
                    "承诺{}{}{}，但该需求仅尚缺{}{}，未予采纳（确需超额调拨请标明超额承诺）",
                    offer.resource.item,
                    c.quantity,
                    offer.resource.unit,
                    request.outstanding,
                    offer.resource.unit
                ),
            }
            .into());
        }
        offer.committed += c.quantity;
        offer.remaining -= c.quantity;
        offer.commits.push(act.id());
        let request = &mut self.views.requests[r];
        request.committed = request.committed.saturating_add(c.quantity);
        request.outstanding = request.quantity.saturating_sub(request.committed);
        request.overfilled = request.committed > request.quantity;
        request.commits.push(act.id());
        request.first_commit_ms.get_or_insert(act.at_ms());
        if request.committed >= request.quantity && request.filled_ms.is_none() {
            request.filled_ms = Some(act.at_ms());
        }
        self.index
            .commits
            .insert(act.id(), self.views.commits.len());
        self.views.commits.push(CommitView {
            id: act.id(),
            by: act.who.clone(),
            at_ms: act.at_ms(),
            offer: c.offer,
            request: c.request,
            quantity: c.quantity,
            surplus: c.surplus,
            eta_ms: c.eta_ms,
            note: c.note.clone(),
            status: DeploymentStatus::Committed,
            status_ms: act.at_ms(),
            history: Vec::new(),
        });
        Ok(())
    }

    pub(super) fn resource_status(&mut self, act: &Act, s: &ResourceStatus) -> Result<(), Problem> {
        let k = Self::find(&self.index.commits, &s.commit, COMMIT)?;
        let (offer_id, request_id) = (self.views.commits[k].offer, self.views.commits[k].request);
        // Both were known when the commit applied.
        let o = Self::find(&self.index.offers, &offer_id, OFFER)?;
        let r = Self::find(&self.index.requests, &request_id, REQUEST)?;
        let requester = self.views.requests[r].by.clone();
        let commit = &mut self.views.commits[k];
        let sender = act.item.author == commit.by.node;
        let receiver = act.item.author == requester.node;
        let allowed = match s.status {
            DeploymentStatus::Dispatched | DeploymentStatus::Returned => sender,
            DeploymentStatus::Delivered | DeploymentStatus::Released => receiver,
            DeploymentStatus::Arrived | DeploymentStatus::Committed => sender || receiver,
        };
        if !allowed {
            let (en, zh) = match s.status {
                DeploymentStatus::Dispatched | DeploymentStatus::Returned => (
                    format!(
                        "only the committing side {} may report a resource {}",
                        commit.by.name, s.status
                    ),
                    format!(
                        "只有承诺调拨的{}可以报告“{}”",
                        commit.by.name,
                        s.status.name_zh()
                    ),
                ),
                DeploymentStatus::Delivered | DeploymentStatus::Released => (
                    format!(
                        "only the receiving side {} may report a resource {}",
                        requester.name, s.status
                    ),
                    format!(
                        "只有需求单位{}可以报告“{}”",
                        requester.name,
                        s.status.name_zh()
                    ),
                ),
                DeploymentStatus::Arrived | DeploymentStatus::Committed => (
                    "only the committing or the receiving side may report where a resource is"
                        .to_string(),
                    "只有承诺调拨单位或需求单位可以报告调运状态".to_string(),
                ),
            };
            return Err(Reason::new(ReasonCode::NotParty, en, zh).into());
        }
        let current = commit.status;
        if s.status == current && (s.status == DeploymentStatus::Delivered || s.status.is_final()) {
            return Err(Conflict {
                rule: ConflictRule::DuplicateStatus,
                subject: s.commit,
                entry: act.id(),
                by: act.who.clone(),
                at_ms: act.at_ms(),
                other: commit.history.last().map(|h| h.entry),
                applied: false,
                en: format!(
                    "reports {} again for a resource already {}; not applied",
                    s.status, current
                ),
                zh: format!("资源已为“{}”，重复报告，未予采纳", current.name_zh()),
            }
            .into());
        }
        if s.status.stage() < current.stage() || (current.is_final() && s.status != current) {
            return Err(Conflict {
                rule: ConflictRule::StatusRegressed,
                subject: s.commit,
                entry: act.id(),
                by: act.who.clone(),
                at_ms: act.at_ms(),
                other: commit.history.last().map(|h| h.entry),
                applied: false,
                en: format!(
                    "reports {} after the resource was already {}; not applied",
                    s.status, current
                ),
                zh: format!(
                    "资源已为“{}”，又报告“{}”，未予采纳",
                    current.name_zh(),
                    s.status.name_zh()
                ),
            }
            .into());
        }
        commit.history.push(StatusRef {
            entry: act.id(),
            status: s.status,
            by: act.who.clone(),
            at_ms: act.at_ms(),
        });
        if s.status == current {
            return Ok(());
        }
        commit.status = s.status;
        commit.status_ms = act.at_ms();
        let quantity = commit.quantity;
        if s.status == DeploymentStatus::Delivered {
            let request = &mut self.views.requests[r];
            request.delivered = request.delivered.saturating_add(quantity);
        }
        if s.status.is_final() {
            let offer = &mut self.views.offers[o];
            offer.committed = offer.committed.saturating_sub(quantity);
            offer.remaining = offer.quantity.saturating_sub(offer.committed);
        }
        // Taken back before it was ever delivered: the request is short of
        // it again, and another post may commit to cover it.
        if s.status == DeploymentStatus::Returned
            && current.stage() < DeploymentStatus::Delivered.stage()
        {
            let request = &mut self.views.requests[r];
            request.committed = request.committed.saturating_sub(quantity);
            request.outstanding = request.quantity.saturating_sub(request.committed);
            request.overfilled = request.committed > request.quantity;
        }
        Ok(())
    }
}
