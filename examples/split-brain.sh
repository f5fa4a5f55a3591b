#!/usr/bin/env bash
# The classic Sentinel split brain, step by step: a master cut off from its sentinels and replicas keeps
# acknowledging client writes while the sentinels promote a replica; when the network heals, the old master is
# demoted and those writes are gone. Then the same with min-replicas-to-write 1, which makes a cut-off master
# refuse writes once its replicas have been silent for min-replicas-max-lag seconds.
# ENGINE=bundled (default) or redis; SENTINEL_ENGINE (default: ENGINE); BASE_PORT (never 6379/26379).
# Every check that fails stops the script with a message; the trap always tears the topology down.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
RTOPO="node $HERE/../bin/run.js"
ENGINE="${ENGINE:-bundled}"
SENTINEL_ENGINE="${SENTINEL_ENGINE:-$ENGINE}"
BASE_PORT="${BASE_PORT:-17500}"
S=$((BASE_PORT + 3))
STATE="$(mktemp -d "${TMPDIR:-/tmp}/rtopo-split-brain-XXXXXX")"
export RTOPO_DIR="$STATE"
SERVERS="$BASE_PORT $((BASE_PORT + 1)) $((BASE_PORT + 2))"

cleanup() { $RTOPO down --purge >/dev/null 2>&1 || true; rm -rf "$STATE"; }
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
cli() { redis-cli -p "$1" "${@:2}"; }
role() { cli "$1" role | head -1; }
master_port() { cli "$S" sentinel get-master-addr-by-name mymaster | sed -n 2p; }
expect_eq() { [ "$1" = "$2" ] || { echo "FAILED: $3: expected '$2', got '$1'" >&2; exit 1; }; echo "ok: $3 = $2"; }
wait_role() { # port role what
  for _ in $(seq 1 600); do [ "$(role "$1")" = "$2" ] && { echo "ok: $3"; return; }; sleep 0.1; done
  echo "FAILED: $3 (role is '$(role "$1")')" >&2; exit 1
}

step "1. a lab topology: 1 master, 2 replicas, 3 sentinels, every link through the rtopo proxy"
# Own ports at +6: the six public ports are BASE_PORT … BASE_PORT+5.
$RTOPO up --lab --lab-offset 6 --engine "$ENGINE" --sentinel-engine "$SENTINEL_ENGINE" --port "$BASE_PORT" --sentinel-port "$S" \
  --down-after 1000 --failover-timeout 10000 >/dev/null
OLD=$(master_port)
expect_eq "$OLD" "$BASE_PORT" "the master"
cli "$OLD" set before-the-split kept >/dev/null

step "2. cut the master off from the sentinels and the replicas; the clients still reach it"
$RTOPO partition master --from sentinels,replicas
NEW=$(master_port)
[ "$NEW" != "$OLD" ] || { echo "FAILED: no new master" >&2; exit 1; }
echo "ok: the sentinels promoted port $NEW"
expect_eq "$(role "$OLD")" master "the old master still believes it is master"

step "3. a client that still talks to the old master keeps getting OK"
acked=0
for i in $(seq 1 20); do [ "$(cli "$OLD" set "during-the-split:$i" "$i")" = OK ] && acked=$((acked + 1)); done
expect_eq "$acked" 20 "writes acknowledged by the old master"

step "4. heal: the sentinels demote the old master, which resyncs from the new one"
$RTOPO heal
wait_role "$OLD" slave "the old master is now a replica"
lost=0
for i in $(seq 1 20); do [ -z "$(cli "$NEW" get "during-the-split:$i")" ] && lost=$((lost + 1)); done
expect_eq "$lost" 20 "acknowledged writes missing on the new master"
expect_eq "$(cli "$OLD" exists during-the-split:1)" 0 "the old master dropped them too"
expect_eq "$(cli "$NEW" get before-the-split)" kept "what was replicated before the split"
$RTOPO verify --timeout 60000 >/dev/null && echo "ok: verify passes"

step "5. again, with min-replicas-to-write 1 and min-replicas-max-lag 2 on every server"
for p in $SERVERS; do cli "$p" config set min-replicas-to-write 1 >/dev/null; cli "$p" config set min-replicas-max-lag 2 >/dev/null; done
OLD=$NEW
$RTOPO partition master --from sentinels,replicas >/dev/null
NEW=$(master_port)
[ "$NEW" != "$OLD" ] || { echo "FAILED: no new master" >&2; exit 1; }
echo "ok: the sentinels promoted port $NEW"
# By the time the failover is done (down-after 1000 ms, then the election) the replicas have been silent longer
# than min-replicas-max-lag: the cut-off master now refuses writes instead of losing them.
reply=""
for _ in $(seq 1 100); do reply=$(cli "$OLD" set refused 1 || true); [ "$reply" != OK ] && break; sleep 0.1; done
expect_eq "$reply" "NOREPLICAS Not enough good replicas to write." "a write to the cut-off master"
$RTOPO heal >/dev/null
wait_role "$OLD" slave "the old master is a replica again"
$RTOPO verify --timeout 60000 >/dev/null && echo "ok: verify passes"

printf '\nsplit brain shown on the %s engine (sentinels: %s)\n' "$ENGINE" "$SENTINEL_ENGINE"
