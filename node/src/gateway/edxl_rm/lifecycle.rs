//! Which ledger entries an export holds, in lifecycle order: a request,
//! the offers answering it, then each commitment (after the standing
//! offer it draws on, if that was not yet exported) followed by its status
//! reports. Each entry is exported once, however many lifecycles it is
//! part of.

use std::collections::HashSet;

use liandong_protocol::EntryId;
use liandong_protocol::domain::fold::Views;

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every request's lifecycle, then the standing offers no request drew
    /// on.
    All,
    /// One request's lifecycle.
    Request(EntryId),
    /// One offer's lifecycle: the request it answers, the offer, and each
    /// commitment made from it (after the request it serves).
    Offer(EntryId),
}

/// One message to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Request(EntryId),
    Offer(EntryId),
    Commit(EntryId),
    /// A commitment's status report: the commitment and the report's
    /// position in its history.
    Status(EntryId, usize),
}

impl Item {
    /// The ledger entry the message is made from.
    pub fn entry(&self, views: &Views) -> Option<EntryId> {
        match *self {
            Item::Request(id) | Item::Offer(id) | Item::Commit(id) => Some(id),
            Item::Status(commit, i) => views
                .commit(&commit)
                .and_then(|c| c.history.get(i))
                .map(|s| s.entry),
        }
    }
}

struct Plan<'v> {
    views: &'v Views,
    seen: HashSet<EntryId>,
    items: Vec<Item>,
}

impl Plan<'_> {
    fn push(&mut self, id: EntryId, item: Item) {
        if self.seen.insert(id) {
            self.items.push(item);
        }
    }

    /// A request this post holds (an offer may answer one it has not
    /// received; its messages still name it by id).
    fn request(&mut self, id: EntryId) {
        if self.views.request(&id).is_some() {
            self.push(id, Item::Request(id));
        }
    }

    fn offer(&mut self, id: EntryId) {
        self.push(id, Item::Offer(id));
    }

    /// A commitment with what it needs before it and its reports after.
    fn commit(&mut self, id: EntryId) {
        let Some(c) = self.views.commit(&id) else {
            return;
        };
        let (offer, request, reports) = (c.offer, c.request, c.history.len());
        self.request(request);
        self.offer(offer);
        self.push(id, Item::Commit(id));
        for i in 0..reports {
            if let Some(entry) = Item::Status(id, i).entry(self.views) {
                self.push(entry, Item::Status(id, i));
            }
        }
    }

    fn request_lifecycle(&mut self, id: EntryId) {
        let Some(r) = self.views.request(&id) else {
            return;
        };
        let (offers, commits) = (r.offers.clone(), r.commits.clone());
        self.request(id);
        for o in offers {
            self.offer(o);
        }
        for c in commits {
            self.commit(c);
        }
    }

    fn offer_lifecycle(&mut self, id: EntryId) {
        let Some(o) = self.views.offer(&id) else {
            return;
        };
        let (answers, commits) = (o.request, o.commits.clone());
        if let Some(r) = answers {
            self.request(r);
        }
        self.offer(id);
        for c in commits {
            self.commit(c);
        }
    }
}

/// The messages to make for `selection`, in order. Unknown ids give an
/// empty list (the caller resolves ids against the views first).
pub fn items(views: &Views, selection: &Selection) -> Vec<Item> {
    let mut plan = Plan {
        views,
        seen: HashSet::new(),
        items: Vec::new(),
    };
    match selection {
        Selection::All => {
            for r in &views.requests {
                plan.request_lifecycle(r.id);
            }
            for o in &views.offers {
                plan.offer_lifecycle(o.id);
            }
        }
        Selection::Request(id) => plan.request_lifecycle(*id),
        Selection::Offer(id) => plan.offer_lifecycle(*id),
    }
    plan.items
}
