//! Gossipsub, simply: an entry is published on its home topic
//! (`protocol::interest::home_region`) to the publisher's mesh peers in
//! that topic, and every post that accepts it forwards it to its own mesh
//! peers in the topic except the one it came from.
//!
//! The mesh: every connection between two posts that subscribe to the
//! topic. With the deployment's connections (parent, children, a
//! cooperation partner) no post but the national one has more such
//! connections than gossipsub's `mesh_n_high` (12), so none would be
//! pruned; the national post's extra province links are kept in its mesh
//! here (pruning them would only move national entries one hop later).
//! Lazy gossip (IHAVE/IWANT to non-mesh peers) has nothing to do when every
//! subscribed neighbour is in the mesh, and is not modelled.
//!
//! Forwarding follows `node/gossip.rs`: a new entry, or a valid one outside
//! this post's interest (a sibling village's report), is accepted and
//! forwarded; one this post already holds (by push or sync) is ignored and
//! not forwarded; a message seen before is dropped by gossipsub's
//! duplicate cache. Bytes: the entry, the topic name, and
//! [`GOSSIP_FRAMING`].

use super::world::{Ev, GOSSIP_FRAMING, Path, World};

impl World {
    fn gossip_bytes(&self, entry: u32) -> usize {
        let e = &self.entries[entry as usize];
        e.wire_len + e.topic_len + GOSSIP_FRAMING
    }

    /// Sends `entry` from `post` to its mesh peers in the entry's topic,
    /// except `except`.
    pub fn forward(&mut self, post: usize, entry: u32, except: Option<usize>) {
        let home = self.entries[entry as usize].home.clone();
        if !self.posts[post].hears(&home) {
            return;
        }
        let bytes = self.gossip_bytes(entry);
        for i in 0..self.posts[post].peers.len() {
            let (peer, link) = {
                let end = &self.posts[post].peers[i];
                (end.peer, end.link)
            };
            if Some(peer) == except || !self.links[link].up || !self.posts[peer].hears(&home) {
                continue;
            }
            let at = self.links[link].send(post, bytes, self.now);
            self.count(post, Path::Gossip, true, bytes);
            let epoch = self.links[link].epoch;
            self.queue.at(
                at,
                Ev::Gossip {
                    to: peer,
                    from: post,
                    link,
                    epoch,
                    entry,
                },
            );
        }
    }

    /// A gossip message arrives.
    pub fn on_gossip(&mut self, to: usize, from: usize, entry: u32) {
        let bytes = self.gossip_bytes(entry);
        self.count(to, Path::Gossip, false, bytes);
        if !self.posts[to].seen.insert(entry) {
            return;
        }
        let in_scope = self.posts[to]
            .interest
            .contains(&self.entries[entry as usize].scope);
        if self.store(to, entry) {
            self.forward(to, entry, Some(from));
            self.after_new_entry(to, entry, Some(from));
        } else if !in_scope {
            self.forward(to, entry, Some(from));
        }
    }

    /// `post` writes a new entry: stored, gossiped on its topic, pushed up.
    pub fn write(&mut self, post: usize, seed: u64) {
        let entry = self.new_entry(post, seed);
        if !self.store(post, entry) {
            self.problems
                .push(format!("post {post} cannot hold its own entry"));
        }
        self.posts[post].seen.insert(entry);
        self.forward(post, entry, None);
        self.after_new_entry(post, entry, None);
    }
}
