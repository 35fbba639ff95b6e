#!/usr/bin/env bash
# A post restarted within seconds is welcomed back, never banned: a line of
# posts (prefecture a — county b — village c) in namespaces; b is stopped
# (SIGTERM, as systemd does) and started again at once, then killed
# (SIGKILL) and started again at once. After each, every post converges and
# no post bans or is banned — checked for a while, since gossip penalties
# used to turn a restart into a ten-minute ban, again and again.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_begin
WATCH=${RESTART_WATCH:-20}

for h in a b c; do host "$h"; done
link a b 10.78.1 ab
link b c 10.78.2 bc
post_init a prefecture 6542
post_init b county 654203
post_init c village 654203106201
PB=$(peer_id b)
start_b() { post_start b 0.0.0.0; }
post_start a 10.78.1.1 "/ip4/10.78.1.2/tcp/$PORT/p2p/$PB"
start_b
post_start c 10.78.2.2 "/ip4/10.78.2.1/tcp/$PORT/p2p/$PB"
connected() { [ "$(peers a)" = 1 ] && [ "$(peers b)" = 2 ] && [ "$(peers c)" = 1 ]; }
wait_for "a—b—c connected" connected
note a "地区：开始"
wait_for "converged at the start" same_digest a b c

# watch <seconds>: no bans, checked every second.
watch() {
    local end=$((SECONDS + $1))
    while [ $SECONDS -lt $end ]; do no_bans a b c || exit 1; sleep 1; done
}

for sig in TERM KILL; do
    log "stopping b with SIG$sig and starting it again at once"
    post_stop b "$sig"
    start_b
    wait_for "b back, a and c reconnected" connected
    note a "地区：b 重启后 ($sig)"
    note b "县：重启后 ($sig)"
    note c "村：重启后 ($sig)"
    wait_for "converged after the SIG$sig restart" same_digest a b c
    watch "$WATCH"
    log "ok: no bans for ${WATCH}s after the SIG$sig restart"
done
log "PASS: restarts within seconds, no bans, $(digest a) on every post"
