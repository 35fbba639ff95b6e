#!/usr/bin/env bash
# A link that dies silently is noticed in seconds, not when TCP gives up a
# quarter of an hour later: a county (a) and its village (b); the cable is
# cut (both ends down: packets go nowhere, nobody is told). Within 30 s the
# village's status shows no peer and its console says it is cut off; when
# the cable is back, the village redials by itself and they converge.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
netns_begin
LIMIT=${DEAD_LINK_LIMIT:-30}

host a; host b
link a b 10.79.1 ab
post_init a county 654203
post_init b village 654203106201
PA=$(peer_id a)
post_start a 0.0.0.0
post_start b 10.79.1.2 "/ip4/10.79.1.1/tcp/$PORT/p2p/$PA"
up() { [ "$(peers a)" = 1 ] && [ "$(peers b)" = 1 ]; }
wait_for "a—b connected" up
note a "县：开始"
wait_for "converged" same_digest a b

network() { in_ns "${NSOF[b]}" python3 -c 'import json,sys,urllib.request
print(json.dumps(json.load(urllib.request.urlopen("http://127.0.0.1:7480/api/network", timeout=5))))'; }
cut_off() {
    local n
    n=$(network) || return 1
    [ "$(echo "$n" | field status.peers)" = 0 ] && [ "$(echo "$n" | field partitioned)" = True ]
}

log "cutting the cable"
link_state ab down
cut_at=$SECONDS
wait_for "the village sees it is cut off" cut_off
took=$((SECONDS - cut_at))
log "noticed after ${took}s (limit ${LIMIT}s)"
if [ "$took" -gt "$LIMIT" ]; then log "FAIL: a dead link went unnoticed for ${took}s"; exit 1; fi
note b "村：断网期间"

log "restoring the cable"
link_state ab up
back_at=$SECONDS
wait_for "the village redialled by itself" up
log "reconnected after $((SECONDS - back_at))s"
wait_for "converged after the cable is back" same_digest a b
no_bans a b
log "PASS: dead link noticed in ${took}s; reconnected and converged"
