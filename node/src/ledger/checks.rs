//! Validating a received batch on every core.
//!
//! Checking a signature (`verify_strict`) is most of what validating an
//! entry costs, and each entry is checked on its own, so a batch is split
//! into contiguous parts checked side by side. The verdicts are the same as
//! one thread's, in the same order; only the wall time changes. (Batched
//! ed25519 verification is not used: ed25519-dalek's `verify_batch` accepts
//! signatures `verify_strict` refuses — see BENCHMARKS.md.)

use liandong_protocol::{SignedEntry, ValidationContext, ValidationError, validate};

use crate::cores;

/// Fewer items per thread than this are checked on the calling thread
/// alone: starting a thread costs about as much as checking a few entries,
/// and a gossip delivery is one entry.
pub const MIN_ITEMS_PER_THREAD: usize = 16;

/// `validate` for every item, in order, on up to as many threads as the
/// machine has cores.
pub fn validate_all<B: AsRef<[u8]> + Sync>(
    items: &[B],
    ctx: &ValidationContext<'_>,
) -> Vec<Result<SignedEntry, ValidationError>> {
    let threads = cores::threads_for(items.len(), MIN_ITEMS_PER_THREAD, cores::available());
    validate_on(items, ctx, threads)
}

fn validate_on<B: AsRef<[u8]> + Sync>(
    items: &[B],
    ctx: &ValidationContext<'_>,
    threads: usize,
) -> Vec<Result<SignedEntry, ValidationError>> {
    let check = |part: &[B]| -> Vec<Result<SignedEntry, ValidationError>> {
        part.iter().map(|b| validate(b.as_ref(), ctx)).collect()
    };
    if threads <= 1 {
        return check(items);
    }
    let part_len = items.len().div_ceil(threads);
    let mut parts = items.chunks(part_len);
    let first = parts.next().unwrap_or_default();
    std::thread::scope(|scope| {
        // A thread the system cannot start leaves its part to this one.
        let others: Vec<_> = parts
            .map(|part| {
                let thread = std::thread::Builder::new()
                    .name("ledger-check".into())
                    .spawn_scoped(scope, move || check(part));
                (part, thread.ok())
            })
            .collect();
        // The calling thread checks the first part meanwhile.
        let mut verdicts = check(first);
        for (part, thread) in others {
            // A part whose thread panicked (`validate` never should) is
            // checked again here, as one thread would have.
            let part_verdicts = thread
                .and_then(|handle| handle.join().ok())
                .unwrap_or_else(|| check(part));
            verdicts.extend(part_verdicts);
        }
        verdicts
    })
}

#[cfg(test)]
mod tests {
    use liandong_protocol::{Body, Draft, Hlc, Keypair, Limits, NetworkId, Note, Status};

    use super::*;

    #[test]
    fn parts_give_the_verdicts_of_one_thread_in_order() {
        let network = NetworkId([3; 32]);
        let kp = Keypair::from_secret([5; 32]);
        let now = 1_700_000_000_000;
        let mut prev = None;
        let mut items: Vec<Vec<u8>> = (1..=70u64)
            .map(|seq| {
                let entry = SignedEntry::sign(
                    &kp,
                    Draft {
                        network,
                        seq,
                        prev,
                        hlc: Hlc::new(now - 1_000 + seq, 0),
                        scope: "654203".parse().expect("region"),
                        status: Status::Actual,
                        body: Body::Note(Note {
                            text: format!("第 {seq} 条"),
                        }),
                        operator: None,
                    },
                )
                .expect("sign");
                prev = Some(entry.id());
                entry.into_wire()
            })
            .collect();
        // A bad signature, garbage and an empty item, spread over the parts.
        let last = items[20].len() - 1;
        items[20][last] ^= 1;
        items[45] = vec![0xff; 40];
        items[69] = Vec::new();
        let limits = Limits::default();
        let ctx = ValidationContext {
            now_ms: now,
            network,
            limits: &limits,
        };
        let one = validate_on(&items, &ctx, 1);
        let bad: Vec<usize> = (0..one.len()).filter(|&i| one[i].is_err()).collect();
        assert_eq!(bad, vec![20, 45, 69]);
        for threads in [2, 3, 7] {
            let many = validate_on(&items, &ctx, threads);
            assert_eq!(many.len(), one.len(), "{threads} threads");
            for (a, b) in one.iter().zip(&many) {
                match (a, b) {
                    (Ok(a), Ok(b)) => assert_eq!(a.id(), b.id()),
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    _ => panic!("{threads} threads changed a verdict"),
                }
            }
        }
    }
}
