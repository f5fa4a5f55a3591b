#!/usr/bin/env bash
# Replays the master/replica/sentinel tutorial (docs: mission.md, steps 1–13) with rtopo commands and
# redis-cli checks. ENGINE=redis (default here) or bundled; SENTINEL_ENGINE (default: ENGINE) runs the sentinels
# on another engine, e.g. ENGINE=bundled SENTINEL_ENGINE=redis; BASE_PORT picks the ports (never 6379/26379).
# Every check that fails stops the script with a message; the trap always tears the topology down.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
RTOPO="node $HERE/../bin/run.js"
ENGINE="${ENGINE:-redis}"
SENTINEL_ENGINE="${SENTINEL_ENGINE:-$ENGINE}"
BASE_PORT="${BASE_PORT:-17300}"
SENTINEL_PORT=$((BASE_PORT + 100))
STATE="$(mktemp -d "${TMPDIR:-/tmp}/rtopo-tutorial-XXXXXX")"
export RTOPO_DIR="$STATE"
M=$BASE_PORT R1=$((BASE_PORT + 1)) R2=$((BASE_PORT + 2))

cleanup() { $RTOPO down --purge >/dev/null 2>&1 || true; rm -rf "$STATE"; }
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
cli() { redis-cli -p "$1" "${@:2}"; }
field() { cli "$1" info replication | tr -d '\r' | sed -n "s/^$2://p"; }
expect_eq() { [ "$1" = "$2" ] || { echo "FAILED: $3: expected '$2', got '$1'" >&2; exit 1; }; echo "ok: $3 = $2"; }
wait_field() { # port field value what
  for _ in $(seq 1 300); do [ "$(field "$1" "$2")" = "$3" ] && { echo "ok: $4"; return; }; sleep 0.1; done
  echo "FAILED: $4 ($2 is '$(field "$1" "$2")')" >&2; exit 1
}

step "1. a fresh server is a master"
$RTOPO up --engine "$ENGINE" --masters 1 --replicas 0 --sentinels 0 --port "$M" >/dev/null
expect_eq "$(field "$M" role)" master "role"
expect_eq "$(field "$M" connected_slaves)" 0 "connected_slaves"
expect_eq "$(field "$M" master_replid2)" 0000000000000000000000000000000000000000 "master_replid2"
expect_eq "$(field "$M" second_repl_offset)" -1 "second_repl_offset"
expect_eq "$(field "$M" repl_backlog_size)" 1048576 "repl_backlog_size"
[[ "$(field "$M" master_replid)" =~ ^[0-9a-f]{40}$ ]] && echo "ok: master_replid is 40 hex"
$RTOPO down --purge >/dev/null

step "2. several servers differ in port, pidfile, dbfilename and logfile, all in the background"
$RTOPO up --engine "$ENGINE" --replicas 2 --sentinels 0 --port "$M" >/dev/null
for node in master-1 replica-1 replica-2; do
  grep -E '^(port|pidfile|dbfilename|logfile) ' "$STATE/$node/redis.conf" | tr '\n' ' '; echo
  [ -s "$STATE/$node/$node.log" ] && [ -s "$STATE/$node/$node.pid" ]
done

step "3. replicas configured with replicaof report their master"
wait_field "$R1" master_link_status up "replica-1 linked"
expect_eq "$(field "$R1" role)" slave "replica role"
expect_eq "$(field "$R1" master_port)" "$M" "master_port"
expect_eq "$(field "$R1" slave_read_only)" 1 "slave_read_only"
expect_eq "$(field "$M" connected_slaves)" 2 "master connected_slaves"
field "$M" slave0 | grep -q "state=online" && echo "ok: slave0 online"

step "4. REPLICAOF by command is not permanent; replicaof in the config file is"
$RTOPO replicaof replica-2 no-one >/dev/null
expect_eq "$(field "$R2" role)" master "replica-2 after REPLICAOF NO ONE"
$RTOPO stop replica-2 >/dev/null && $RTOPO start replica-2 >/dev/null
wait_field "$R2" master_link_status up "replica-2 back as a replica from its config file"

step "5. writes on the master reach the replicas; replicas refuse writes"
cli "$M" set tutorial:key hello >/dev/null
for _ in $(seq 1 50); do [ "$(cli "$R1" get tutorial:key)" = hello ] && break; sleep 0.1; done
expect_eq "$(cli "$R1" get tutorial:key)" hello "replica read"
expect_eq "$(cli "$R1" set x 1)" "READONLY You can't write against a read only replica." "replica write"

step "6. the master dies: replicas stay replicas, serve reads, and reconnect when it returns"
$RTOPO kill master >/dev/null
wait_field "$R1" master_link_status down "replica-1 link down"
expect_eq "$(field "$R1" role)" slave "still a replica"
expect_eq "$(cli "$R1" get tutorial:key)" hello "reads still served"
$RTOPO start master-1 >/dev/null
wait_field "$R1" master_link_status up "replica-1 reconnected"
cli "$M" set tutorial:after back >/dev/null
for _ in $(seq 1 50); do [ "$(cli "$R2" get tutorial:after)" = back ] && break; sleep 0.1; done
expect_eq "$(cli "$R2" get tutorial:after)" back "new writes replicated"

step "7. sync: the master logs the (partial or full) resynchronisation"
grep -E "Synchronization with replica|Partial resynchronization request .* accepted|Starting BGSAVE for SYNC" "$STATE/master-1/master-1.log" | tail -3
$RTOPO down --purge >/dev/null

step "8. a chain: master <- replica-1 <- replica-2"
$RTOPO up --engine "$ENGINE" --replicas 2 --sentinels 0 --chain --port "$M" >/dev/null
expect_eq "$(field "$R1" role)" slave "middle role"
expect_eq "$(field "$R1" connected_slaves)" 1 "middle connected_slaves"
expect_eq "$(field "$R2" master_port)" "$R1" "end of chain follows the middle"
cli "$M" set chain:key 1 >/dev/null
for _ in $(seq 1 50); do [ "$(cli "$R2" get chain:key)" = 1 ] && break; sleep 0.1; done
expect_eq "$(cli "$R2" get chain:key)" 1 "write reached the end of the chain"

step "9. SLAVEOF NO ONE on the middle node while the master is down"
OLD_ID=$(field "$R1" master_replid)
$RTOPO kill master >/dev/null
$RTOPO replicaof replica-1 no-one >/dev/null
expect_eq "$(field "$R1" role)" master "middle promoted"
expect_eq "$(field "$R1" master_replid2)" "$OLD_ID" "old replid moved to master_replid2"
wait_field "$R2" master_link_status up "the end of the chain keeps following the middle"
$RTOPO start master-1 >/dev/null
expect_eq "$(field "$M" connected_slaves)" 0 "the old master does not get its replicas back"
$RTOPO down --purge >/dev/null

step "10-13. sentinels: discovery, failover, conversion of the old master, config rewrite"
$RTOPO up --engine "$ENGINE" --sentinel-engine "$SENTINEL_ENGINE" --replicas 2 --sentinels 3 --port "$M" --sentinel-port "$SENTINEL_PORT" --down-after 1000 --failover-timeout 10000 --password tutorial-pw >/dev/null
grep -q "+monitor master mymaster" "$STATE/sentinel-1/sentinel-1.log" && echo "ok: +monitor logged"
grep -q "+slave slave" "$STATE/sentinel-1/sentinel-1.log" && echo "ok: +slave logged"
$RTOPO kill master
NEW=$(cli "$SENTINEL_PORT" sentinel get-master-addr-by-name mymaster | tail -1)
[ "$NEW" != "$M" ] && echo "ok: sentinels switched the master to $NEW"
for e in +sdown +odown +elected-leader +selected-slave +promoted-slave +failover-end +switch-master; do
  cat "$STATE"/sentinel-*/sentinel-*.log | grep -q -- "$e" && echo "ok: $e logged"
done
$RTOPO start master-1 >/dev/null
cat "$STATE"/sentinel-*/sentinel-*.log | grep -q -- "+convert-to-slave" && echo "ok: +convert-to-slave logged"
expect_eq "$(redis-cli -a tutorial-pw --no-auth-warning -p "$M" info replication | tr -d '\r' | sed -n 's/^role://p')" slave "old master is now a replica"
grep -q "^sentinel myid" "$STATE/sentinel-1/sentinel.conf" && grep -q "sentinel known-sentinel" "$STATE/sentinel-1/sentinel.conf" && echo "ok: sentinel rewrote its config (myid, known-sentinel)"
grep -q "sentinel monitor mymaster 127.0.0.1 $NEW" "$STATE/sentinel-1/sentinel.conf" && echo "ok: config names the new master"

printf '\ntutorial replayed on the %s engine (sentinels: %s)\n' "$ENGINE" "$SENTINEL_ENGINE"
