#!/usr/bin/env bash
# Runs the AFL++ fuzz targets (afl.rs, stable Rust) and reports, per target,
# the executions, the corpus it grew to, and any crash or hang. Exits
# non-zero if any target crashed, hung, or could not run.
#
#   fuzz/run.sh [--install] [--seconds N | --budget N] [--jobs N] [TARGET...]
#
#   --install    install what is missing first: cargo-afl from crates.io
#                (which builds AFL++), and make/cc from Debian if absent
#   --seconds N  fuzz each target for N seconds (default 60)
#   --budget N   fuzz all the targets within N seconds of wall time in all
#                (startup included), shared out evenly; overrides --seconds
#   --jobs N     targets fuzzed at once (default 1; one core each)
#   TARGET...    targets to run (default: every fuzz_targets/*.rs)
#
# Environment: FUZZ_OUT (default fuzz/out), CARGO_TARGET_DIR (default
# fuzz/target), FUZZ_NICE (niceness, default 10).
# Each run starts from the committed seeds in fuzz/corpus/<target>/ and
# writes AFL++'s queue, crashes and hangs to $FUZZ_OUT/<target>/.
set -euo pipefail
cd "$(dirname "$0")"

AFL_RS_VERSION=0.18.2
seconds=60
budget=
jobs=1
install=
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --install) install=1 ;;
        --seconds) seconds=$2; shift ;;
        --budget) budget=$2; shift ;;
        --jobs) jobs=$2; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1") ;;
    esac
    shift
done
if [ ${#targets[@]} -eq 0 ]; then
    for f in fuzz_targets/*.rs; do targets+=("$(basename "$f" .rs)"); done
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
out="${FUZZ_OUT:-$PWD/out}"
nice=(nice -n "${FUZZ_NICE:-10}")
now() { date +%s; }

if [ -n "$install" ]; then
    t0=$(now)
    if ! command -v make >/dev/null || ! command -v cc >/dev/null; then
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q make gcc
    fi
    if ! cargo afl --version 2>/dev/null | grep -q "$AFL_RS_VERSION"; then
        "${nice[@]}" cargo install --locked --force cargo-afl --version "=$AFL_RS_VERSION"
    fi
    # Builds AFL++ for this rustc unless cargo-afl's install already did.
    if ! msg=$("${nice[@]}" cargo afl config --build 2>&1); then
        grep -q "already built" <<<"$msg" || { echo "$msg" >&2; exit 1; }
    fi
    echo "fuzz: install took $(( $(now) - t0 )) s"
fi

t0=$(now)
# Not --locked: fuzz/Cargo.lock follows the workspace's lock, and a
# dependency the node gains later is added to it rather than refused.
"${nice[@]}" cargo afl build --release --bins
echo "fuzz: build took $(( $(now) - t0 )) s"

if [ -n "$budget" ]; then
    rounds=$(( (${#targets[@]} + jobs - 1) / jobs ))
    # About two seconds of every round go to starting AFL++ and
    # calibrating the seeds.
    seconds=$(( budget / rounds - 2 ))
    [ "$seconds" -ge 5 ] || seconds=5
fi

# Non-interactive AFL++: no UI; no CPU governor, core-pattern or
# affinity demands (CI machines and shared boxes); a seed that crashes
# fails the run rather than being skipped.
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_NO_AFFINITY=1 AFL_FAST_CAL=1 AFL_NO_CRASH_README=1 AFL_NO_WARN_INSTABILITY=1

fuzz_one() {
    local t=$1
    rm -rf "${out:?}/$t"
    mkdir -p "$out"
    # -t: a decoder that takes over a second on one input is a hang.
    "${nice[@]}" cargo afl fuzz -i "corpus/$t" -o "$out/$t" -V "$seconds" -t 1000 \
        -- "$CARGO_TARGET_DIR/release/$t" >"$out/$t.log" 2>&1
}

echo "fuzz: ${#targets[@]} targets, ${seconds} s each, ${jobs} at a time"
t0=$(now)
failed=()
running=0
for t in "${targets[@]}"; do
    fuzz_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
done
wait || true
fuzz_seconds=$(( $(now) - t0 ))

afl_stat() { sed -n "s/^$2 *: *//p" "$out/$1/default/fuzzer_stats" 2>/dev/null; }
total=0
printf '%-14s %12s %10s %8s %8s %6s\n' target execs execs/s corpus crashes hangs
for t in "${targets[@]}"; do
    execs=$(afl_stat "$t" execs_done)
    crashes=$(afl_stat "$t" saved_crashes)
    hangs=$(afl_stat "$t" saved_hangs)
    if [ -z "$execs" ]; then
        printf '%-14s did not run; the end of %s:\n' "$t" "$out/$t.log"
        tail -n 15 "$out/$t.log" || true
        failed+=("$t")
        continue
    fi
    printf '%-14s %12s %10s %8s %8s %6s\n' "$t" "$execs" "$(afl_stat "$t" execs_per_sec)" \
        "$(afl_stat "$t" corpus_count)" "$crashes" "$hangs"
    total=$((total + execs))
    if [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then
        failed+=("$t")
        ls "$out/$t/default/crashes" "$out/$t/default/hangs" 2>/dev/null | sed 's/^/    /'
    fi
done
echo "fuzz: total executions: $total in ${fuzz_seconds} s of fuzzing"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: FAILED: ${failed[*]} (inputs under $out/<target>/default/{crashes,hangs})" >&2
    exit 1
fi
echo "fuzz: no crashes, no hangs"
