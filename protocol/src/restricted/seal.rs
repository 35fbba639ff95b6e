//! Sealing and opening: the body is encrypted once with a fresh content key
//! (ChaCha20-Poly1305), and the content key is wrapped for each recipient
//! with HPKE (RFC 9180, Base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
//! ChaCha20-Poly1305).
//!
//! Both layers are bound to the entry ([`SealContext`]) and to the public
//! class: the body through its associated data, each wrapped key through
//! HPKE's `info` (and its key id through HPKE's associated data), so a
//! sealed body lifted into another entry, or a slot moved to another key
//! id, does not open.

use chacha20::ChaCha20Rng;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hpke::aead::ChaCha20Poly1305 as HpkeChaCha;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::rand_core::{Rng as _, SeedableRng as _};
use hpke::{Deserializable, OpModeR, OpModeS, Serializable};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::audience::Audience;
use super::class::{KindClass, SealedClass};
use super::encoding::bytes;
use super::envelope::{
    CONTENT_KEY_BYTES, ENC_BYTES, MAX_RECIPIENTS, NONCE_BYTES, Opened, Recipient, SealContext,
    Sealed, WRAPPED_KEY_BYTES,
};
use super::error::{OpenError, RestrictedError};
use super::keys::{AgreementKey, AgreementSecret};
use crate::codec;
use crate::header::Kind;

/// Domain tags: the body's associated data and the wrapped keys' HPKE info
/// never equal each other or anything else this protocol signs or hashes.
const BODY_TAG: &[u8] = b"liandong restricted body v1";
const KEY_TAG: &[u8] = b"liandong restricted key v1";
/// BLAKE3 key-derivation context of the per-seal randomness.
const SEED_CONTEXT: &str = "liandong 2026-12 restricted seal randomness";

type EncappedKey = <X25519HkdfSha256 as hpke::Kem>::EncappedKey;

/// The plaintext inside the body AEAD, borrowed for writing.
#[derive(Serialize)]
struct InnerRef<'a> {
    kind: Kind,
    audience: &'a Audience,
    #[serde(serialize_with = "bytes::serialize")]
    body: &'a [u8],
}

/// The plaintext inside the body AEAD, as read.
#[derive(Deserialize)]
struct Inner {
    kind: Kind,
    audience: Audience,
    #[serde(deserialize_with = "bytes::deserialize")]
    body: Vec<u8>,
}

/// `tag`, then the entry and class it binds to, at fixed widths.
fn binding(tag: &[u8], ctx: &SealContext, class: SealedClass) -> Vec<u8> {
    let mut out = Vec::with_capacity(tag.len() + 32 + 32 + 8 + 1);
    out.extend_from_slice(tag);
    out.extend_from_slice(ctx.network.as_bytes());
    out.extend_from_slice(ctx.author.as_bytes());
    out.extend_from_slice(&ctx.seq.to_be_bytes());
    out.push(class.0);
    out
}

/// Seals `body` (the canonical bytes of a body of `kind`) for `recipients`.
///
/// `seed` must be 32 fresh random bytes (the node takes them from the
/// operating system). It is hashed with everything sealed, so the same
/// seed and inputs give the same bytes (golden vectors), and a seed reused
/// by mistake for another body still gives another content key and nonce.
///
/// The recipients are deduplicated and sorted by key id. The author
/// should include its own key, or it cannot read its entry back.
pub fn seal(
    ctx: &SealContext,
    kind: Kind,
    body: &[u8],
    audience: &Audience,
    recipients: &[AgreementKey],
    seed: [u8; 32],
) -> Result<Sealed, RestrictedError> {
    let class =
        SealedClass::from(KindClass::of(kind).ok_or(RestrictedError::NotRestrictable { kind })?);
    audience
        .check_shape()
        .map_err(RestrictedError::InvalidAudience)?;
    let mut keys: Vec<(super::KeyId, AgreementKey)> =
        recipients.iter().map(|k| (k.id(), *k)).collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.0.cmp(&b.1.0)));
    keys.dedup();
    if keys.is_empty() {
        return Err(RestrictedError::NoRecipients);
    }
    if keys.len() > MAX_RECIPIENTS {
        return Err(RestrictedError::TooManyRecipients { count: keys.len() });
    }
    if let Some(w) = keys.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(RestrictedError::KeyIdCollision { id: w[0].0 });
    }

    let plaintext = Zeroizing::new(
        codec::encode(&InnerRef {
            kind,
            audience,
            body,
        })
        .map_err(|e| RestrictedError::Seal(e.to_string()))?,
    );
    let body_aad = binding(BODY_TAG, ctx, class);
    let key_info = binding(KEY_TAG, ctx, class);

    let mut hasher = blake3::Hasher::new_derive_key(SEED_CONTEXT);
    hasher.update(&seed);
    hasher.update(&body_aad);
    hasher.update(&plaintext);
    for (_, key) in &keys {
        hasher.update(&key.0);
    }
    let mut rng = ChaCha20Rng::from_seed(*hasher.finalize().as_bytes());

    let mut content_key = Zeroizing::new([0u8; CONTENT_KEY_BYTES]);
    rng.fill_bytes(&mut content_key[..]);
    let mut nonce = [0u8; NONCE_BYTES];
    rng.fill_bytes(&mut nonce);

    let key = <&Key>::try_from(&content_key[..])
        .map_err(|_| RestrictedError::Seal("content key length".into()))?;
    let ciphertext = ChaCha20Poly1305::new(key)
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: &plaintext,
                aad: &body_aad,
            },
        )
        .map_err(|_| RestrictedError::Seal("body encryption failed".into()))?;

    let mut slots = Vec::with_capacity(keys.len());
    for (id, key) in keys {
        let public = key
            .to_hpke()
            .ok_or(RestrictedError::BadRecipientKey { id })?;
        let (enc, wrapped) =
            hpke::single_shot_seal_with_rng::<HpkeChaCha, HkdfSha256, X25519HkdfSha256>(
                &OpModeS::Base,
                &public,
                &key_info,
                &content_key[..],
                &id.0,
                &mut rng,
            )
            .map_err(|_| RestrictedError::BadRecipientKey { id })?;
        let mut slot = Recipient {
            key: id,
            enc: [0; ENC_BYTES],
            wrapped: [0; WRAPPED_KEY_BYTES],
        };
        let enc = enc.to_bytes();
        if enc.len() != ENC_BYTES || wrapped.len() != WRAPPED_KEY_BYTES {
            return Err(RestrictedError::Seal(format!(
                "HPKE gave {} + {} bytes, expected {ENC_BYTES} + {WRAPPED_KEY_BYTES}",
                enc.len(),
                wrapped.len()
            )));
        }
        slot.enc.copy_from_slice(&enc);
        slot.wrapped.copy_from_slice(&wrapped);
        slots.push(slot);
    }

    Ok(Sealed {
        class,
        recipients: slots,
        nonce,
        ciphertext,
    })
}

impl Sealed {
    /// Opens the entry with whichever of the post's keys (the current one
    /// and those it rotated away from) has a slot. `NotForUs` when none
    /// has; `Damaged` when a slot exists but does not open to a valid
    /// plaintext of the envelope's class.
    pub fn open(
        &self,
        ctx: &SealContext,
        secrets: &[AgreementSecret],
    ) -> Result<Opened, OpenError> {
        let mut damage = None;
        for secret in secrets {
            let id = secret.public().id();
            let Some(slot) = self.recipients.iter().find(|r| r.key == id) else {
                continue;
            };
            match self.open_slot(ctx, secret, slot) {
                Ok(opened) => return Ok(opened),
                Err(reason) => damage = Some(reason),
            }
        }
        Err(damage.map_or(OpenError::NotForUs, OpenError::Damaged))
    }

    fn open_slot(
        &self,
        ctx: &SealContext,
        secret: &AgreementSecret,
        slot: &Recipient,
    ) -> Result<Opened, String> {
        let secret = secret
            .to_hpke()
            .ok_or("the post's own agreement key is unreadable / 本岗位加密私钥不可用")?;
        let enc = EncappedKey::from_bytes(&slot.enc)
            .map_err(|_| "encapsulated key is malformed / 封装密钥格式错误")?;
        let content_key = Zeroizing::new(
            hpke::single_shot_open::<HpkeChaCha, HkdfSha256, X25519HkdfSha256>(
                &OpModeR::Base,
                &secret,
                &enc,
                &binding(KEY_TAG, ctx, self.class),
                &slot.wrapped,
                &slot.key.0,
            )
            .map_err(|_| "the wrapped content key does not open (HPKE) / 内容密钥无法解封")?,
        );
        let key = <&Key>::try_from(&content_key[..])
            .map_err(|_| "the content key has the wrong length / 内容密钥长度错误")?;
        let plaintext = Zeroizing::new(
            ChaCha20Poly1305::new(key)
                .decrypt(
                    &Nonce::from(self.nonce),
                    Payload {
                        msg: &self.ciphertext,
                        aad: &binding(BODY_TAG, ctx, self.class),
                    },
                )
                .map_err(|_| {
                    "the body does not decrypt for this entry (ChaCha20-Poly1305) / 正文无法解密"
                })?,
        );
        let inner: Inner = codec::decode(&plaintext, plaintext.len()).map_err(|e| {
            format!("the decrypted body is undecodable: {e} / 解密后的内容无法解析")
        })?;
        if KindClass::of(inner.kind).map(SealedClass::from) != Some(self.class) {
            return Err(format!(
                "the sealed {} is not of the envelope's class {} / 加密内容的种类与类别不符",
                inner.kind, self.class
            ));
        }
        inner
            .audience
            .check_shape()
            .map_err(|e| format!("the sealed audience is invalid: {e} / 受限范围无效"))?;
        Ok(Opened {
            kind: inner.kind,
            body: inner.body,
            audience: inner.audience,
        })
    }
}
