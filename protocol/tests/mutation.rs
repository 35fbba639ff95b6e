//! Random mutations of valid entries never panic `validate`, and every
//! mutation that still validates is a different, correctly signed entry
//! (which, without the key, means no mutation validates at all).

mod common;

use common::*;
use liandong_protocol::validate;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Mutation {
    Flip { pos: usize, bit: u8 },
    Truncate(usize),
    Append(Vec<u8>),
    Splice { pos: usize, bytes: Vec<u8> },
    Delete { pos: usize, len: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(pos, bit)| Mutation::Flip { pos, bit }),
        any::<usize>().prop_map(Mutation::Truncate),
        prop::collection::vec(any::<u8>(), 1..64).prop_map(Mutation::Append),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(pos, bytes)| Mutation::Splice { pos, bytes }),
        (any::<usize>(), 1usize..16).prop_map(|(pos, len)| Mutation::Delete { pos, len }),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let n = bytes.len();
    if n == 0 {
        bytes.push(0);
        return;
    }
    match m {
        Mutation::Flip { pos, bit } => bytes[pos % n] ^= 1 << bit,
        Mutation::Truncate(len) => bytes.truncate(len % n),
        Mutation::Append(extra) => bytes.extend_from_slice(extra),
        Mutation::Splice { pos, bytes: b } => {
            let p = pos % n;
            let end = (p + b.len()).min(n);
            bytes.splice(p..end, b.iter().copied());
        }
        Mutation::Delete { pos, len } => {
            let p = pos % n;
            bytes.drain(p..(p + len).min(n));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn mutated_entries_are_rejected_without_panic(
        which in 0usize..3,
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let kp = keypair(7);
        let entries = chain(&kp, 2);
        let originals = [entries[0].clone(), entries[1].clone(), signed(&kp, draft(1, None, profile()))];
        let original = &originals[which];
        let mut bytes = original.wire().to_vec();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let result = validate(&bytes, &ctx());
        if bytes != original.wire() {
            prop_assert!(result.is_err(), "mutated bytes validated: {:?}", mutations);
        } else {
            prop_assert!(result.is_ok());
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = validate(&bytes, &ctx());
    }
}
