//! Anti-entropy sessions (`node/sync.rs`), played exchange by exchange
//! over the simulated links with the real reconciliation machine
//! (`protocol::sync`, negentropy over the (HLC, id) sets of the entries
//! both posts hold) and the real frames: every request and answer is
//! built and measured by the node's codec (`sized_request`,
//! `sized_response`: encoded bytes plus the length prefix), so reconcile
//! bytes are negentropy's own, and fetch, offer and push frames are the
//! node's, with entry stand-ins as long as real entries.
//!
//! The initiator's side as in `node/sync.rs`: reconcile within the pace's
//! frame limit; fetch what it lacks in batches of `Pace::fetch_count`,
//! claimed in its policy's claims first; offer what the peer lacks, and
//! push what the peer wants (it claims those), framed by `split_batches`.
//! The responder's side as in `node/requests.rs`: its item set is built
//! once per session over the initiator's interest cut to its own; fetches
//! are answered with what the initiator's interest holds, up to the bytes
//! asked for. New entries from either direction start the receiving
//! post's cascade (`policy::Event::Arrived`). Each exchange's bytes and
//! time feed the initiator's pace for that peer.

use std::rc::Rc;
use std::time::Duration;

use liandong_protocol::net::{MAX_FETCH_IDS, Request, Response, split_batches};
use liandong_protocol::sync::{ItemSet, Reconciliation, Step, clamp_frame_limit};
use liandong_protocol::{EntryId, Interest};

use super::link::Micros;
use super::world::{Ev, Path, World};
use crate::net::codec::{sized_request, sized_response};
use crate::policy::Event;

/// A request on its way, as the responder will read it.
#[derive(Debug)]
enum Asked {
    Reconcile {
        message: Vec<u8>,
        frame_limit: usize,
    },
    Fetch {
        batch: Vec<u32>,
        max_bytes: usize,
    },
    Offer {
        offered: Vec<u32>,
    },
    Push {
        entries: Vec<u32>,
    },
}

/// An answer on its way back.
#[derive(Debug)]
enum Answered {
    Reconcile(Vec<u8>),
    Entries(Vec<u32>),
    Wanted(Vec<u32>),
    Pushed,
}

pub struct Session {
    initiator: usize,
    responder: usize,
    link: usize,
    epoch: u32,
    policy_session: u64,
    interest: Interest,
    reconciliation: Option<Reconciliation>,
    responder_items: Option<Rc<ItemSet>>,
    need: Vec<u32>,
    have: Vec<u32>,
    frames: Vec<Vec<u32>>,
    asked: Option<Asked>,
    answered: Option<Answered>,
    sent_at: Micros,
    /// Bytes of the exchange in flight: the request, then the answer too.
    exchange_bytes: usize,
    answer_bytes: usize,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Session({} → {})", self.initiator, self.responder)
    }
}

impl World {
    fn budget(&self, post: usize, peer: usize) -> usize {
        self.posts[post]
            .end_for(peer)
            .map_or(crate::node::pace::START_BUDGET, |e| {
                self.posts[post].peers[e].pace.budget()
            })
    }

    /// Starts the session the policy of `initiator` asked for with `peer`:
    /// an offer of `offer` (what arrived since they last synced) when
    /// given, as the node's `offer_only`, else a reconciliation.
    pub fn start_session(
        &mut self,
        initiator: usize,
        peer: usize,
        policy_session: u64,
        offer: Option<Vec<u32>>,
    ) {
        let Some(end) = self.posts[initiator].end_for(peer) else {
            // The policy only syncs connected peers: a bug if it happens,
            // and the session must still end, or the peer stays busy.
            self.problems
                .push(format!("post {initiator} synced {peer}, not a peer"));
            let peer_id = self.posts[peer].peer_id;
            return self.policy(
                initiator,
                Event::SyncEnded {
                    peer: peer_id,
                    session: policy_session,
                },
            );
        };
        let link = self.posts[initiator].peers[end].link;
        let interest = self.posts[initiator]
            .interest
            .intersect(&self.posts[peer].interest);
        if let Some(offer) = offer {
            let have: Vec<u32> = offer
                .into_iter()
                .filter(|&e| interest.contains(&self.entries[e as usize].scope))
                .collect();
            let id = self.open_session(initiator, peer, link, policy_session, interest, None);
            if let Some(s) = self.sessions.get_mut(&id) {
                s.have = have;
            }
            return self.next_offer(id);
        }
        let limit = clamp_frame_limit(self.budget(initiator, peer)) as usize;
        let items = self.items_in(initiator, &interest);
        let started = ItemSet::new(&items).and_then(|set| Reconciliation::start(set, limit));
        let (reconciliation, message) = match started {
            Ok(s) => s,
            Err(e) => {
                self.problems
                    .push(format!("reconciliation did not start: {e}"));
                let peer_id = self.posts[peer].peer_id;
                self.policy(
                    initiator,
                    Event::SyncEnded {
                        peer: peer_id,
                        session: policy_session,
                    },
                );
                return;
            }
        };
        let id = self.open_session(
            initiator,
            peer,
            link,
            policy_session,
            interest,
            Some(reconciliation),
        );
        self.ask(
            id,
            Asked::Reconcile {
                message,
                frame_limit: limit,
            },
        );
    }

    /// Counts and registers a new session; its number.
    fn open_session(
        &mut self,
        initiator: usize,
        peer: usize,
        link: usize,
        policy_session: u64,
        interest: Interest,
        reconciliation: Option<Reconciliation>,
    ) -> u64 {
        self.posts[initiator].sessions += 1;
        self.posts[peer].sessions += 1;
        self.session_count[self.phase as usize] += 1;
        let id = self.next_session;
        self.next_session += 1;
        self.sessions.insert(
            id,
            Session {
                initiator,
                responder: peer,
                link,
                epoch: self.links[link].epoch,
                policy_session,
                interest,
                reconciliation,
                responder_items: None,
                need: Vec::new(),
                have: Vec::new(),
                frames: Vec::new(),
                asked: None,
                answered: None,
                sent_at: 0,
                exchange_bytes: 0,
                answer_bytes: 0,
            },
        );
        id
    }

    /// The responder's sealed set for `scope`, as its store would give
    /// it now. Sealing is the simulator's main cost at the posts that sync
    /// most (the national post's cascades): a set is kept, per post and
    /// scope, until the post stores another entry. (Only the simulator's
    /// speed changes: the set is the same one.)
    fn responder_set(&mut self, post: usize, scope: &Interest) -> Result<Rc<ItemSet>, String> {
        let version = self.posts[post].held.len();
        let key = (post, scope.selectors().to_vec());
        if let Some((v, set)) = self.set_cache.get(&key)
            && *v == version
        {
            return Ok(Rc::clone(set));
        }
        let items = self.items_in(post, scope);
        let set = Rc::new(ItemSet::new(&items).map_err(|e| e.to_string())?);
        self.set_cache.insert(key, (version, Rc::clone(&set)));
        Ok(set)
    }

    fn prefixes(&self, entries: &[u32]) -> Vec<[u8; 8]> {
        entries
            .iter()
            .map(|&e| self.entries[e as usize].id.prefix())
            .collect()
    }

    /// Sends the initiator's next request.
    fn ask(&mut self, id: u64, asked: Asked) {
        let Some(s) = self.sessions.get(&id) else {
            return;
        };
        let (initiator, link) = (s.initiator, s.link);
        let request = match &asked {
            Asked::Reconcile {
                message,
                frame_limit,
            } => Request::Reconcile {
                // As random-looking as the node's own session numbers, so
                // it encodes to as many bytes.
                session: id.wrapping_mul(0x9E37_79B9_7F4A_7C15),
                interest: s.interest.clone(),
                message: message.clone(),
                frame_limit: u32::try_from(*frame_limit).unwrap_or(u32::MAX),
            },
            Asked::Fetch { batch, max_bytes } => Request::Fetch {
                prefixes: self.prefixes(batch),
                max_bytes: u32::try_from(*max_bytes).unwrap_or(u32::MAX),
            },
            Asked::Offer { offered } => Request::Offer {
                prefixes: self.prefixes(offered),
            },
            Asked::Push { entries } => Request::Push {
                entries: entries.iter().map(|&e| self.wire(e)).collect(),
            },
        };
        let bytes = sized_request(request).bytes;
        let at = self.links[link].send(initiator, bytes, self.now);
        self.count(initiator, Path::Sync, true, bytes);
        if let Some(s) = self.sessions.get_mut(&id) {
            s.asked = Some(asked);
            s.sent_at = self.now;
            s.exchange_bytes = bytes;
        }
        self.queue.at(at, Ev::Serve { session: id });
    }

    /// Session `id`, taken out for its next step, when a message of it has
    /// just arrived: none when it has ended, or when its link was cut
    /// after the message was sent (the cut dropped it, and the session).
    fn take_delivered(&mut self, id: u64) -> Option<Session> {
        let s = self.sessions.remove(&id)?;
        (s.epoch == self.links[s.link].epoch).then_some(s)
    }

    /// The request arrives at the responder, which answers it.
    pub fn on_serve(&mut self, id: u64) {
        let Some(mut s) = self.take_delivered(id) else {
            return;
        };
        self.count(s.responder, Path::Sync, false, s.exchange_bytes);
        let asked = s.asked.take();
        let (answer, response) = match &asked {
            Some(Asked::Reconcile {
                message,
                frame_limit,
            }) => {
                if s.responder_items.is_none() {
                    // A new session: it pays a cascade the responder owes.
                    let initiator = self.posts[s.initiator].peer_id;
                    self.policy(s.responder, Event::Served(initiator));
                    let scope = s.interest.intersect(&self.posts[s.responder].interest);
                    match self.responder_set(s.responder, &scope) {
                        Ok(set) => s.responder_items = Some(set),
                        Err(e) => return self.fail(s, &format!("responder set: {e}")),
                    }
                }
                let reply = match s
                    .responder_items
                    .as_ref()
                    .map(|set| liandong_protocol::sync::respond(set, message, *frame_limit))
                {
                    Some(Ok(reply)) => reply,
                    Some(Err(e)) => return self.fail(s, &format!("respond: {e}")),
                    None => return self.fail(s, "no responder set"),
                };
                (
                    Answered::Reconcile(reply.clone()),
                    Response::Reconcile { message: reply },
                )
            }
            Some(Asked::Fetch { batch, max_bytes }) => {
                let asker = &self.posts[s.initiator].interest;
                let held: Vec<Vec<u8>> = batch
                    .iter()
                    .filter(|&&e| {
                        self.posts[s.responder].held.contains(&e)
                            && asker.contains(&self.entries[e as usize].scope)
                    })
                    .map(|&e| self.wire(e))
                    .collect();
                let first = split_batches(held, *max_bytes)
                    .into_iter()
                    .next()
                    .unwrap_or_default();
                let sent: Vec<u32> = first
                    .iter()
                    .filter_map(|w| World::entry_of_wire(w))
                    .collect();
                (
                    Answered::Entries(sent),
                    Response::Entries { entries: first },
                )
            }
            Some(Asked::Offer { offered }) => {
                let r = s.responder;
                // The initiator holds these: the responder owes it none.
                let initiator = self.posts[s.initiator].peer_id;
                let offered_prefixes = self.prefixes(offered);
                self.policy(
                    r,
                    Event::Holds {
                        peer: initiator,
                        prefixes: offered_prefixes,
                    },
                );
                let lacking: Vec<u32> = offered
                    .iter()
                    .copied()
                    .filter(|e| !self.posts[r].held.contains(e))
                    .collect();
                let prefixes = self.prefixes(&lacking);
                let now = self.instant();
                let claimed = self.posts[r].policy.claims.claim(&prefixes, now);
                let wanted: Vec<u32> = lacking
                    .iter()
                    .zip(claimed)
                    .filter(|(_, ok)| *ok)
                    .map(|(&e, _)| e)
                    .collect();
                let indexes = offered
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| wanted.contains(e))
                    .map(|(i, _)| i as u32)
                    .collect();
                (Answered::Wanted(wanted), Response::Wanted { indexes })
            }
            Some(Asked::Push { entries }) => {
                let r = s.responder;
                let mut added = 0u32;
                let mut new_ids = Vec::new();
                for &e in entries {
                    if self.store(r, e) {
                        added += 1;
                        new_ids.push(self.entries[e as usize].id);
                        self.after_new_entry(r, e, Some(s.initiator));
                    }
                }
                let prefixes = self.prefixes(entries);
                self.posts[r].policy.claims.release(prefixes);
                if added > 0 {
                    let from = self.posts[s.initiator].peer_id;
                    self.policy(
                        r,
                        Event::Arrived {
                            from: vec![from],
                            ids: Some(new_ids),
                        },
                    );
                }
                let rejected = entries.len() as u32 - added;
                (Answered::Pushed, Response::Pushed { added, rejected })
            }
            None => return self.fail(s, "answered nothing"),
        };
        let bytes = sized_response(response).bytes;
        let at = self.links[s.link].send(s.responder, bytes, self.now);
        self.count(s.responder, Path::Sync, true, bytes);
        s.asked = asked;
        s.answered = Some(answer);
        s.exchange_bytes += bytes;
        s.answer_bytes = bytes;
        self.sessions.insert(id, s);
        self.queue.at(at, Ev::Answer { session: id });
    }

    /// The answer arrives back at the initiator: the next step.
    pub fn on_answer(&mut self, id: u64) {
        let Some(mut s) = self.take_delivered(id) else {
            return;
        };
        let request_bytes = s.exchange_bytes;
        let took = Duration::from_micros(self.now - s.sent_at);
        let (i, r) = (s.initiator, s.responder);
        if let Some(end) = self.posts[i].end_for(r) {
            self.posts[i].peers[end].pace.observe(request_bytes, took);
        }
        let answered = s.answered.take();
        // The answer alone: the request's bytes were counted when sent.
        self.count(i, Path::Sync, false, s.answer_bytes);
        match answered {
            Some(Answered::Reconcile(reply)) => {
                let Some(rec) = s.reconciliation.as_mut() else {
                    return self.fail(s, "no reconciliation");
                };
                match rec.step(&reply) {
                    Ok(Step::Send(message)) => {
                        let frame_limit = clamp_frame_limit(self.budget(i, r)) as usize;
                        self.sessions.insert(id, s);
                        self.ask(
                            id,
                            Asked::Reconcile {
                                message,
                                frame_limit,
                            },
                        );
                    }
                    Ok(Step::Done { have, need }) => {
                        s.reconciliation = None;
                        s.responder_items = None;
                        s.have = self.known(&have);
                        s.need = self.known(&need);
                        // As `node/sync.rs` does: the responder holds them.
                        let prefixes = self.prefixes(&s.need);
                        let peer = self.posts[r].peer_id;
                        self.policy(i, Event::Holds { peer, prefixes });
                        self.sessions.insert(id, s);
                        self.next_fetch(id);
                    }
                    Err(e) => self.fail(s, &format!("step: {e}")),
                }
            }
            Some(Answered::Entries(entries)) => {
                if let Some(end) = self.posts[i].end_for(r) {
                    let sizes: Vec<usize> = entries
                        .iter()
                        .map(|&e| self.entries[e as usize].wire_len)
                        .collect();
                    self.posts[i].peers[end].pace.saw_entries(sizes.into_iter());
                }
                let mut new_ids = Vec::new();
                for &e in &entries {
                    if self.store(i, e) {
                        new_ids.push(self.entries[e as usize].id);
                        self.after_new_entry(i, e, Some(r));
                    }
                }
                if let Some(Asked::Fetch { batch, .. }) = &s.asked {
                    let prefixes = self.prefixes(batch);
                    self.posts[i].policy.claims.release(prefixes);
                    if entries.is_empty() {
                        // The peer no longer has them: stop fetching.
                        s.need.clear();
                    } else {
                        s.need.extend(batch.iter().filter(|e| !entries.contains(e)));
                    }
                }
                if !new_ids.is_empty() {
                    let from = self.posts[r].peer_id;
                    self.policy(
                        i,
                        Event::Arrived {
                            from: vec![from],
                            ids: Some(new_ids),
                        },
                    );
                }
                self.sessions.insert(id, s);
                self.next_fetch(id);
            }
            Some(Answered::Wanted(wanted)) => {
                if let Some(Asked::Offer { offered }) = &s.asked {
                    let prefixes = self.prefixes(offered);
                    let peer = self.posts[r].peer_id;
                    self.policy(i, Event::Holds { peer, prefixes });
                }
                let budget = self.budget(i, r);
                let wires: Vec<Vec<u8>> = wanted.iter().map(|&e| self.wire(e)).collect();
                s.frames = split_batches(wires, budget)
                    .into_iter()
                    .map(|f| f.iter().filter_map(|w| World::entry_of_wire(w)).collect())
                    .collect();
                s.frames.reverse();
                self.sessions.insert(id, s);
                self.next_push(id);
            }
            Some(Answered::Pushed) => {
                self.sessions.insert(id, s);
                self.next_push(id);
            }
            None => self.fail(s, "no answer"),
        }
    }

    pub(super) fn known(&self, ids: &[EntryId]) -> Vec<u32> {
        ids.iter()
            .filter_map(|id| self.by_id.get(id).copied())
            .collect()
    }

    /// Fetches the next batch of what the initiator lacks, or moves on to
    /// offering.
    fn next_fetch(&mut self, id: u64) {
        loop {
            let Some(s) = self.sessions.get_mut(&id) else {
                return;
            };
            if s.need.is_empty() {
                break;
            }
            let (i, r) = (s.initiator, s.responder);
            let count = self.posts[i].end_for(r).map_or(1, |e| {
                self.posts[i].peers[e].pace.fetch_count(MAX_FETCH_IDS)
            });
            let Some(s) = self.sessions.get_mut(&id) else {
                return;
            };
            let wanted: Vec<u32> = s.need.drain(..s.need.len().min(count)).collect();
            let prefixes = self.prefixes(&wanted);
            let now = self.instant();
            let claimed = self.posts[i].policy.claims.claim(&prefixes, now);
            let batch: Vec<u32> = wanted
                .into_iter()
                .zip(claimed)
                .filter(|(_, ok)| *ok)
                .map(|(e, _)| e)
                .collect();
            if batch.is_empty() {
                continue;
            }
            let max_bytes = self.budget(i, r);
            return self.ask(id, Asked::Fetch { batch, max_bytes });
        }
        self.next_offer(id);
    }

    /// Offers the next chunk of what the peer lacks, or ends the session.
    fn next_offer(&mut self, id: u64) {
        let Some(s) = self.sessions.get_mut(&id) else {
            return;
        };
        if s.have.is_empty() {
            return self.finish(id);
        }
        let take = s.have.len().min(MAX_FETCH_IDS);
        let offered: Vec<u32> = s.have.drain(..take).collect();
        self.ask(id, Asked::Offer { offered });
    }

    /// Pushes the next frame of what the peer wanted, or offers more.
    fn next_push(&mut self, id: u64) {
        let Some(s) = self.sessions.get_mut(&id) else {
            return;
        };
        match s.frames.pop() {
            Some(entries) => self.ask(id, Asked::Push { entries }),
            None => self.next_offer(id),
        }
    }

    fn finish(&mut self, id: u64) {
        if let Some(s) = self.sessions.remove(&id) {
            let peer = self.posts[s.responder].peer_id;
            self.policy(
                s.initiator,
                Event::SyncEnded {
                    peer,
                    session: s.policy_session,
                },
            );
        }
    }

    fn fail(&mut self, s: Session, why: &str) {
        self.problems.push(format!(
            "session {} → {} failed: {why}",
            s.initiator, s.responder
        ));
        let peer = self.posts[s.responder].peer_id;
        self.policy(
            s.initiator,
            Event::SyncEnded {
                peer,
                session: s.policy_session,
            },
        );
    }

    /// The link under these sessions was cut: they end (the node's request
    /// fails; its policy already forgot the peer).
    pub fn drop_sessions_on(&mut self, link: usize) {
        let mut ids: Vec<u64> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.link == link)
            .map(|(id, _)| *id)
            .collect();
        ids.sort_unstable();
        for id in ids {
            if let Some(s) = self.sessions.remove(&id) {
                let peer = self.posts[s.responder].peer_id;
                self.policy(
                    s.initiator,
                    Event::SyncEnded {
                        peer,
                        session: s.policy_session,
                    },
                );
            }
        }
    }
}
