//! Sealing an entry to an audience as the ledger writes it: resolve the
//! audience against the trust state and the announced keys now, add this
//! post's own key (so it reads what it wrote, after any restart), seal.

use liandong_protocol::restricted::{Audience, SealContext, seal};
use liandong_protocol::{Body, Hlc};

use super::{Ledger, LedgerError, trust::read};
use crate::clock;
use crate::restricted::directory;

impl Ledger {
    /// The restricted body that replaces `body` in entry `seq` of this post.
    pub(super) fn seal_for(
        &self,
        audience: &Audience,
        seq: u64,
        body: &Body,
    ) -> Result<Body, LedgerError> {
        audience.check(&self.limits)?;
        let trust = self.trust.as_ref().ok_or(LedgerError::NoGenesis)?;
        let (_, own) = self.keyring.current().ok_or_else(|| {
            LedgerError::Restricted(
                "this post has no agreement key (agreement.keys) / 本岗位没有加密密钥".into(),
            )
        })?;
        let announced = directory::announced_keys(&self.store)?;
        let resolved = {
            let state = read(trust);
            let now = Hlc::new(clock::now_ms(), u16::MAX);
            directory::resolve(audience, &state, &announced, now)
        };
        let others: Vec<_> = resolved.keys.iter().filter(|k| **k != own).collect();
        if others.is_empty() {
            return Err(LedgerError::Restricted(format!(
                "no other post in the audience ({}) has announced an agreement key{} / \
                 受限范围（{}）内没有其他已公布加密公钥的岗位",
                audience.describe_en(),
                if resolved.without_key.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; {} post(s) in it have not announced one yet",
                        resolved.without_key.len()
                    )
                },
                audience.describe_zh(),
            )));
        }
        for post in &resolved.without_key {
            tracing::warn!(post = %post.node, name = %post.name,
                "a post in the audience has announced no agreement key and cannot read this entry / \
                 受限范围内的岗位尚未公布加密公钥，无法阅读此条目");
        }
        let mut keys = resolved.keys;
        keys.push(own);
        let (kind, bytes) = body.encode()?;
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .map_err(|e| LedgerError::Restricted(format!("no randomness / 无法生成随机数: {e}")))?;
        let ctx = SealContext {
            network: self.network,
            author: self.keypair.node_id(),
            seq,
        };
        let sealed = seal(&ctx, kind, &bytes, audience, &keys, seed)
            .map_err(|e| LedgerError::Restricted(e.to_string()))?;
        let sealed = Body::Restricted(Box::new(sealed));
        sealed.check(&self.limits)?;
        Ok(sealed)
    }
}
