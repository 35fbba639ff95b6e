#!/usr/bin/env bash
# Real processes in Linux network namespaces: three `liandong run` posts in
# three namespaces joined by veth pairs in a line (a — b — c). Cut the b—c
# link, write on both sides, restore it, and check that every digest matches.
#
# Needs root (ip netns). Without root it says so loudly and exits 0, so a
# developer's unprivileged run is not mistaken for a pass: look for SKIPPED.
#
#   LIANDONG_BIN=target/debug/liandong tests/netns/partition.sh
set -euo pipefail

BIN=${LIANDONG_BIN:-target/debug/liandong}
DEADLINE=${NETNS_DEADLINE:-120}

if [ "$(id -u)" != 0 ]; then
    echo "######## SKIPPED: the network-namespace test needs root (ip netns) ########" >&2
    exit 0
fi
if ! command -v ip >/dev/null; then
    echo "######## SKIPPED: iproute2 ('ip') is not installed ########" >&2
    exit 0
fi
[ -x "$BIN" ] || { echo "no liandong binary at $BIN" >&2; exit 1; }
BIN=$(readlink -f "$BIN")

TAG="ld$$"
NS=("${TAG}a" "${TAG}b" "${TAG}c")
WORK=$(mktemp -d)
PIDS=()

cleanup() {
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
    sleep 0.5
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
    done
    for ns in "${NS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
    if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

log() { printf '[netns] %s\n' "$*"; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# --- the three hosts and their links ---------------------------------------
for ns in "${NS[@]}"; do
    ip netns add "$ns"
    in_ns "$ns" ip link set lo up
done
link() { # link <nsX> <nsY> <subnet-prefix>
    local x=$1 y=$2 net=$3 vx="v${TAG}${4}x" vy="v${TAG}${4}y"
    ip link add "$vx" type veth peer name "$vy"
    ip link set "$vx" netns "$x"
    ip link set "$vy" netns "$y"
    in_ns "$x" ip addr add "$net.1/24" dev "$vx"
    in_ns "$y" ip addr add "$net.2/24" dev "$vy"
    in_ns "$x" ip link set "$vx" up
    in_ns "$y" ip link set "$vy" up
}
link "${NS[0]}" "${NS[1]}" 10.77.1 ab
link "${NS[1]}" "${NS[2]}" 10.77.2 bc

# --- three posts of one county -----------------------------------------------
names=(a b c)
for i in 0 1 2; do
    "$BIN" --data-dir "$WORK/${names[$i]}" init --name "post-${names[$i]}" --level county \
        --region 654203 --network netns-test >/dev/null
done
PORT=7400
start() { # start <index> <listen ip> [peer multiaddr...]
    local i=$1 ip=$2; shift 2
    local peers=()
    for p in "$@"; do peers+=(--peer "$p"); done
    in_ns "${NS[$i]}" "$BIN" --data-dir "$WORK/${names[$i]}" run \
        --listen "/ip4/$ip/tcp/$PORT" --no-mdns --console 127.0.0.1:7480 --sync-interval 2 \
        "${peers[@]}" >"$WORK/${names[$i]}.log" 2>&1 &
    PIDS+=($!)
}
field() { python3 -c 'import json,sys
try: print(json.load(sys.stdin)[sys.argv[1]])
except Exception: pass' "$1"; }
peer_id() { "$BIN" --data-dir "$WORK/$1" id --json | field peer_id; }
PB=$(peer_id b)
start 0 10.77.1.1 "/ip4/10.77.1.2/tcp/$PORT/p2p/$PB"
start 1 0.0.0.0
start 2 10.77.2.2 "/ip4/10.77.2.1/tcp/$PORT/p2p/$PB"

status() { in_ns "${NS[$1]}" "$BIN" --data-dir "$WORK/${names[$1]}" status --json 2>/dev/null; }
digest() { status "$1" | field digest; }
peers() { status "$1" | field peers; }
note() { in_ns "${NS[$1]}" "$BIN" --data-dir "$WORK/${names[$1]}" note add "$2" >/dev/null; }

wait_for() { # wait_for <description> <command...>
    local what=$1; shift
    local end=$((SECONDS + DEADLINE))
    until "$@"; do
        if [ $SECONDS -ge $end ]; then
            log "TIMEOUT waiting for: $what"
            for n in "${names[@]}"; do echo "--- $n.log"; tail -20 "$WORK/$n.log"; done
            exit 1
        fi
        sleep 0.2
    done
    log "ok: $what"
}
connected() { [ "$(peers 0)" = 1 ] && [ "$(peers 1)" = 2 ] && [ "$(peers 2)" = 1 ]; }
converged() {
    local d0 d1 d2
    d0=$(digest 0); d1=$(digest 1); d2=$(digest 2)
    [ -n "$d0" ] && [ "$d0" = "$d1" ] && [ "$d1" = "$d2" ]
}

wait_for "a—b—c connected" connected
note 0 "a: before the cut"
wait_for "digests equal before the cut" converged

log "cutting b—c"
in_ns "${NS[1]}" ip link set "v${TAG}bcx" down
in_ns "${NS[2]}" ip link set "v${TAG}bcy" down
note 0 "a: written while c is cut off"
note 1 "b: written while c is cut off"
note 2 "c: written alone"
note 2 "c: still alone"
ab_same() { [ "$(digest 0)" = "$(digest 1)" ]; }
wait_for "a and b agree during the cut" ab_same
if [ "$(digest 1)" = "$(digest 2)" ]; then
    log "FAIL: c agrees with b although the link is down"
    exit 1
fi

log "restoring b—c"
in_ns "${NS[1]}" ip link set "v${TAG}bcx" up
in_ns "${NS[2]}" ip link set "v${TAG}bcy" up
wait_for "digests equal after the heal" converged
log "PASS: $(digest 0) on every post"
