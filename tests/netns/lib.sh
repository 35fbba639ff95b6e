# Shared by the network-namespace scripts: hosts (namespaces) joined by
# veth pairs, `liandong run` posts started in them, and a clean-up that
# stops every process it started — by the node's own PID, checked after —
# and deletes every namespace, whatever happens.
#
# A script sources this file, then calls `netns_begin`. Needs root (ip
# netns); without it the script says SKIPPED loudly and exits 0, so a
# developer's unprivileged run is not mistaken for a pass.
#
#   LIANDONG_BIN=target/debug/liandong tests/netns/<script>.sh

BIN=${LIANDONG_BIN:-target/debug/liandong}
DEADLINE=${NETNS_DEADLINE:-120}
PORT=7400
TAG="ld$$"
WORK=""
NSES=()
declare -A PID=()   # post name -> the node's own PID
declare -A NSOF=()  # post name -> its namespace

log() { printf '[netns] %s\n' "$*"; }

netns_begin() {
    if [ "$(id -u)" != 0 ]; then
        echo "######## SKIPPED: the network-namespace tests need root (ip netns) ########" >&2
        exit 0
    fi
    if ! command -v ip >/dev/null || ! command -v tc >/dev/null; then
        echo "######## SKIPPED: iproute2 ('ip', 'tc') is not installed ########" >&2
        exit 0
    fi
    [ -x "$BIN" ] || { echo "no liandong binary at $BIN" >&2; exit 1; }
    BIN=$(readlink -f "$BIN")
    WORK=$(mktemp -d /tmp/liandong-netns.XXXXXX)
    trap netns_cleanup EXIT
}

netns_cleanup() {
    local rc=$?
    for name in "${!PID[@]}"; do kill -TERM "${PID[$name]}" 2>/dev/null || true; done
    local end=$((SECONDS + 10))
    for name in "${!PID[@]}"; do
        while kill -0 "${PID[$name]}" 2>/dev/null && [ $SECONDS -lt $end ]; do sleep 0.1; done
        kill -KILL "${PID[$name]}" 2>/dev/null || true
    done
    # Nothing this run started may outlive it.
    local left
    left=$(pgrep -f -- "$WORK/" || true)
    if [ -n "$left" ]; then
        log "FAIL: processes left behind: $left"
        kill -KILL $left 2>/dev/null || true
        rc=1
    fi
    for ns in "${NSES[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
    if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
    exit $rc
}

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# host <name>: a namespace with loopback up.
host() {
    local ns="${TAG}$1"
    ip netns add "$ns"
    NSES+=("$ns")
    in_ns "$ns" ip link set lo up
}

# link <hostX> <hostY> <subnet-prefix> <id>: a veth pair, X at .1, Y at .2.
link() {
    local x="${TAG}$1" y="${TAG}$2" net=$3 vx="v${TAG}$4x" vy="v${TAG}$4y"
    ip link add "$vx" type veth peer name "$vy"
    ip link set "$vx" netns "$x"
    ip link set "$vy" netns "$y"
    in_ns "$x" ip addr add "$net.1/24" dev "$vx"
    in_ns "$y" ip addr add "$net.2/24" dev "$vy"
    in_ns "$x" ip link set "$vx" up
    in_ns "$y" ip link set "$vy" up
}

# link_state <id> up|down: both ends of a link; down is a cut cable (the
# packets go nowhere, nobody is told).
link_state() {
    in_ns "$(ns_of_veth "v${TAG}$1x")" ip link set "v${TAG}$1x" "$2"
    in_ns "$(ns_of_veth "v${TAG}$1y")" ip link set "v${TAG}$1y" "$2"
}

ns_of_veth() {
    local dev=$1 ns
    for ns in "${NSES[@]}"; do
        if ip netns exec "$ns" ip link show "$dev" >/dev/null 2>&1; then echo "$ns"; return; fi
    done
}

# throttle <id> <rate>: a token bucket on both ends of a link (tc tbf).
throttle() {
    local dev
    for dev in "v${TAG}$1x" "v${TAG}$1y"; do
        in_ns "$(ns_of_veth "$dev")" tc qdisc replace dev "$dev" root tbf rate "$2" burst 4kb latency 400ms
    done
}

# post_init <name> <level> <region> [host]: a development-mode post.
post_init() {
    "$BIN" --data-dir "$WORK/$1" init --name "post-$1" --level "$2" --region "$3" \
        --network netns-test >/dev/null
    NSOF[$1]="${TAG}${4:-$1}"
}

# post_start <name> <listen ip> [peer multiaddr...]: `liandong run` in the
# post's namespace; PID[name] is the node's own PID (the subshell execs
# `ip netns exec`, which execs liandong).
post_start() {
    local name=$1 ip=$2; shift 2
    local peers=()
    for p in "$@"; do peers+=(--peer "$p"); done
    ( exec ip netns exec "${NSOF[$name]}" "$BIN" --data-dir "$WORK/$name" run \
        --listen "/ip4/$ip/tcp/$PORT" --no-mdns --console 127.0.0.1:7480 --sync-interval 5 \
        "${peers[@]}" >>"$WORK/$name.log" 2>&1 ) &
    PID[$name]=$!
}

# post_stop <name> [TERM|KILL]: stops the node and waits until it is gone.
post_stop() {
    local name=$1 sig=${2:-TERM} pid=${PID[$1]}
    kill -"$sig" "$pid" 2>/dev/null || true
    local end=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null; do
        [ $SECONDS -lt $end ] || { kill -KILL "$pid" 2>/dev/null || true; }
        sleep 0.05
    done
    unset "PID[$name]"
}

# cli <name> <args...>: a liandong command for the post, in its namespace
# (so it reaches the running node's console on that namespace's loopback).
cli() { local name=$1; shift; in_ns "${NSOF[$name]}" "$BIN" --data-dir "$WORK/$name" "$@"; }

field() { python3 -c 'import json,sys
try:
    v=json.load(sys.stdin)
    for k in sys.argv[1].split("."): v=v[int(k)] if isinstance(v,list) else v[k]
    print(json.dumps(v) if isinstance(v,(list,dict)) else v)
except Exception: pass' "$1"; }

peer_id() { "$BIN" --data-dir "$WORK/$1" id --json | field peer_id; }
status() { cli "$1" status --json 2>/dev/null; }
digest() { status "$1" | field digest; }
peers() { status "$1" | field peers; }
note() { cli "$1" note add "$2" >/dev/null; }

# No post keeps any other out, and none is kept out.
no_bans() {
    local name s
    for name in "$@"; do
        s=$(status "$name")
        if [ "$(echo "$s" | field bans)" != "[]" ] || [ "$(echo "$s" | field banned_by)" != "[]" ]; then
            log "FAIL: $name has bans: $(echo "$s" | field bans) / banned by: $(echo "$s" | field banned_by)"
            return 1
        fi
    done
}

# posts_alive <description>: fails at once, with its log, if a started
# post has exited (a failed start would otherwise wait out the deadline).
posts_alive() {
    local name
    for name in "${!PID[@]}"; do
        if ! kill -0 "${PID[$name]}" 2>/dev/null; then
            log "FAIL: post $name exited while waiting for: $1"
            tail -20 "$WORK/$name.log"
            exit 1
        fi
    done
}

wait_for() { # wait_for <description> <command...>
    local what=$1; shift
    local end=$((SECONDS + DEADLINE))
    until "$@"; do
        posts_alive "$what"
        if [ $SECONDS -ge $end ]; then
            log "TIMEOUT waiting for: $what"
            for f in "$WORK"/*.log; do echo "--- $f"; tail -20 "$f"; done
            exit 1
        fi
        sleep 0.2
    done
    log "ok: $what"
}

same_digest() { # same_digest <name...>
    local first d
    first=$(digest "$1")
    [ -n "$first" ] || return 1
    for n in "$@"; do
        d=$(digest "$n")
        [ "$d" = "$first" ] || return 1
    done
}
