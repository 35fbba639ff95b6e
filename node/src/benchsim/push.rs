//! Upward pushes (`node/push.rs`): one queue per peer; a frame leaves
//! when the one before it was answered, carrying what is queued up to the
//! peer's pace budget (framed by `protocol::net::split_batches`, the
//! node's own batching rule). The receiver stores what is new, pushes it
//! further up, and — as the node does for any bulk arrival with new
//! entries — tells its peer policy, which starts syncs with its other
//! peers (`policy::Event::Arrived`).

use liandong_protocol::net::{MAX_BATCH_ENTRIES, Request, Response, split_batches};

use super::world::{Ev, Path, World};
use crate::net::codec::{sized_request, sized_response};
use crate::policy::Event;

impl World {
    /// Sends the next frame of `post`'s queue towards peer end `end`, if
    /// none is on its way.
    pub fn pump_push(&mut self, post: usize, end: usize) {
        let (peer, link, budget) = {
            let e = &self.posts[post].peers[end];
            if e.push.in_flight || e.push.queued.is_empty() {
                return;
            }
            (e.peer, e.link, e.pace.budget())
        };
        if !self.links[link].up {
            self.posts[post].peers[end].push.queued.clear();
            return;
        }
        let queued = std::mem::take(&mut self.posts[post].peers[end].push.queued);
        let take = queued.len().min(MAX_BATCH_ENTRIES);
        let wires: Vec<Vec<u8>> = queued[..take].iter().map(|&e| self.wire(e)).collect();
        let mut frames = split_batches(wires, budget).into_iter();
        let frame = frames.next().unwrap_or_default();
        let sent_entries: Vec<u32> = frame
            .iter()
            .filter_map(|w| World::entry_of_wire(w))
            .collect();
        let rest: Vec<u32> = queued[sent_entries.len()..].to_vec();
        let bytes = sized_request(Request::Push { entries: frame }).bytes;
        let e = &mut self.posts[post].peers[end];
        e.push.queued = rest;
        e.push.in_flight = true;
        let at = self.links[link].send(post, bytes, self.now);
        self.count(post, Path::Push, true, bytes);
        let epoch = self.links[link].epoch;
        self.queue.at(
            at,
            Ev::Push {
                to: peer,
                from: post,
                link,
                epoch,
                entries: sent_entries,
            },
        );
    }

    /// A push frame arrives at `to`.
    pub fn on_push(&mut self, to: usize, from: usize, link: usize, entries: Vec<u32>) {
        let wires: Vec<Vec<u8>> = entries.iter().map(|&e| self.wire(e)).collect();
        let bytes = sized_request(Request::Push { entries: wires }).bytes;
        self.count(to, Path::Push, false, bytes);
        let mut added = 0u32;
        let mut new_ids = Vec::new();
        for &e in &entries {
            if self.store(to, e) {
                added += 1;
                new_ids.push(self.entries[e as usize].id);
                self.after_new_entry(to, e, Some(from));
            }
        }
        let prefixes: Vec<[u8; 8]> = entries
            .iter()
            .map(|&e| self.entries[e as usize].id.prefix())
            .collect();
        self.posts[to].policy.claims.release(prefixes);
        if added > 0 {
            let from_id = self.posts[from].peer_id;
            self.policy(
                to,
                Event::Arrived {
                    from: vec![from_id],
                    ids: Some(new_ids),
                },
            );
        }
        let answer = sized_response(Response::Pushed {
            added,
            rejected: entries.len() as u32 - added,
        })
        .bytes;
        let at = self.links[link].send(to, answer, self.now);
        self.count(to, Path::Push, true, answer);
        let epoch = self.links[link].epoch;
        self.queue.at(
            at,
            Ev::Pushed {
                pusher: from,
                to,
                link,
                epoch,
                bytes: answer,
            },
        );
    }

    /// The answer to a push frame arrives back at the pusher: the next
    /// frame may go. (Pushes do not adjust the pace; sync exchanges do.)
    pub fn on_pushed(&mut self, pusher: usize, to: usize, bytes: usize) {
        self.count(pusher, Path::Push, false, bytes);
        let Some(end) = self.posts[pusher].end_for(to) else {
            return;
        };
        self.posts[pusher].peers[end].push.in_flight = false;
        self.pump_push(pusher, end);
    }
}
