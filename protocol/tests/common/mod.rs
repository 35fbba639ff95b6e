//! Builders shared by the protocol's integration tests.
#![allow(dead_code)]

pub mod world;

use liandong_protocol::{
    Body, Draft, EntryId, Hlc, Keypair, Level, Limits, NetworkId, Note, PostProfile, RegionCode,
    SignedEntry, Status, UnitType, ValidationContext,
};

pub const NOW_MS: u64 = 1_795_000_000_000; // 2026-11-18
pub const LIMITS: Limits = Limits {
    max_entry_bytes: Limits::DEFAULT_MAX_ENTRY_BYTES,
    max_future_ms: Limits::DEFAULT_MAX_FUTURE_MS,
    max_text_chars: 8_000,
    max_name_chars: 128,
};

pub fn network() -> NetworkId {
    NetworkId::from_name("liandong-test")
}

pub fn keypair(seed: u8) -> Keypair {
    Keypair::from_secret([seed; 32])
}

pub fn ctx() -> ValidationContext<'static> {
    ValidationContext {
        now_ms: NOW_MS,
        network: network(),
        limits: &LIMITS,
    }
}

pub fn region(code: &str) -> RegionCode {
    code.parse().expect("valid region")
}

pub fn note(text: &str) -> Body {
    Body::Note(Note {
        text: text.to_string(),
    })
}

pub fn profile() -> Body {
    Body::PostProfile(PostProfile {
        name: "西戈壁镇应急管理办公室".into(),
        level: Level::Township,
        region: region("654203106"),
        unit_type: UnitType::Command,
        contact: "0993-1234567".into(),
    })
}

pub fn draft(seq: u64, prev: Option<EntryId>, body: Body) -> Draft {
    Draft {
        network: network(),
        seq,
        prev,
        hlc: Hlc::new(NOW_MS - 60_000, seq as u16),
        scope: region("654203106"),
        status: Status::Actual,
        body,
        operator: None,
    }
}

pub fn signed(kp: &Keypair, draft: Draft) -> SignedEntry {
    SignedEntry::sign(kp, draft).expect("sign")
}

/// A chain of `n` notes by one author.
pub fn chain(kp: &Keypair, n: u64) -> Vec<SignedEntry> {
    let mut out: Vec<SignedEntry> = Vec::new();
    for seq in 1..=n {
        let prev = out.last().map(|e| e.id());
        out.push(signed(
            kp,
            draft(seq, prev, note(&format!("水位上涨 第{seq}次"))),
        ));
    }
    out
}
