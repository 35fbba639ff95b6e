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
//! - Status moves forward only: committed → dispatched → arrived →
//!   delivered → released | returned (steps may be skipped). Going back, or
//!   anything after released / returned, is a
//!   [`ConflictRule::StatusRegressed`] conflict. Only the owner or the
//!   requester reports status.
//! - Released or returned gives the quantity back to the offer.

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
        let requester = self.views.requests[r].by.node;
        let commit = &mut self.views.commits[k];
        if act.item.author != commit.by.node && act.item.author != requester {
            return Err(Reason::new(
                ReasonCode::NotParty,
                "only the owner or the requester may report where a resource is",
                "只有资源所属单位或需求单位可以报告调运状态",
            )
            .into());
        }
        let current = commit.status;
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
        Ok(())
    }

    pub(super) fn finish_resources(&mut self, now: u64) {
        for r in &mut self.views.requests {
            r.overdue = r.needed_by_ms.is_some_and(|t| now > t) && r.delivered < r.quantity;
        }
    }
}
