#!/usr/bin/env bash
# End-to-end fill benchmark: a release dromos with simulated tasks
# (`--local-simulate`) is given APPS apps of INSTANCES instances each with
# `PUT /v2/apps` in batches of 100 (the workload of the console benchmark,
# end2end/benches/ui/cluster.rs), and timed until every task runs and no
# deployment is left.
#
#   cargo build --release -p server --bin dromos
#   server/benches/local_simulate.sh                # 1,000 apps x 10
#   APPS=1000 INSTANCES=1 server/benches/local_simulate.sh
#   DROMOS_BIN=/path/to/dromos LIMIT_SECS=900 server/benches/local_simulate.sh
#
# Prints progress every 10 s and ends with one line:
#   local_simulate: apps=… instances=… tasks=… secs_to_running=… peak_rss_mb=… status_updates=…
# (`status_updates` is dromos' own marathon.mesos.task-updates counters;
# `secs_to_running` counts from the first PUT.) Needs curl and jq.
set -euo pipefail

APPS=${APPS:-1000}
INSTANCES=${INSTANCES:-10}
LIMIT_SECS=${LIMIT_SECS:-900}
RESOURCES=${RESOURCES:-cpus:100000;mem:10000000;disk:10000000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${DROMOS_BIN:-$ROOT/target/release/dromos}
PORT=${PORT:-$((20000 + RANDOM % 20000))}
URL="http://127.0.0.1:$PORT"

[ -x "$BIN" ] || { echo "no dromos at $BIN: cargo build --release -p server --bin dromos" >&2; exit 1; }
DATA=$(mktemp -d)
LOG="$DATA/dromos.log"
"$BIN" serve --http-addr "127.0.0.1:$PORT" --data-dir "$DATA/state" --log-format json \
    --local-simulate --local-resources "$RESOURCES" >"$LOG" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$DATA"' EXIT

for _ in $(seq 100); do curl -sf "$URL/ping" >/dev/null && break; sleep 0.1; done

app() { # index
    local i=$1 team=$(($1 % 10)) tier=worker health=''
    [ $((i % 3)) -eq 0 ] && tier=web
    [ $((i % 2)) -eq 0 ] &&
        health=',"healthChecks":[{"protocol":"COMMAND","command":{"value":"true"},"gracePeriodSeconds":5}]'
    printf '{"id":"/bench-%04d","cmd":"sleep 3600","cpus":0.1,"mem":32,"disk":0,"instances":%d,' "$i" "$INSTANCES"
    printf '"portDefinitions":[],"labels":{"team":"team-%d","tier":"%s"}%s}' "$team" "$tier" "$health"
}

started=$(date +%s.%N)
for ((first = 0; first < APPS; first += 100)); do
    body='['
    for ((i = first; i < first + 100 && i < APPS; i++)); do
        [ "$i" -gt "$first" ] && body+=','
        body+=$(app "$i")
    done
    body+=']'
    curl -sf -X PUT -H 'Content-Type: application/json' --data-binary "$body" "$URL/v2/apps" >/dev/null
done

tasks=$((APPS * INSTANCES))
last_print=0
while :; do
    now=$(date +%s.%N)
    elapsed=$(printf '%.0f' "$(echo "$now - $started" | bc)")
    running=$(curl -sf "$URL/v2/apps?embed=apps.counts" | jq '[.apps[].tasksRunning] | add // 0')
    deployments=$(curl -sf "$URL/v2/deployments" | jq 'length')
    if [ "$running" -ge "$tasks" ] && [ "$deployments" -eq 0 ]; then break; fi
    if [ "$elapsed" -ge $((last_print + 10)) ]; then
        last_print=$elapsed
        echo "after ${last_print}s: $running of $tasks running, $deployments deployments," \
            "rss $(awk '/VmRSS/ {print int($2/1024)}' "/proc/$PID/status") MB"
    fi
    if [ "$elapsed" -ge "$LIMIT_SECS" ]; then
        echo "local_simulate: apps=$APPS instances=$INSTANCES tasks=$tasks secs_to_running=timeout" \
            "running=$running peak_rss_mb=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$PID/status")"
        exit 1
    fi
    sleep 1
done
secs=$(echo "$(date +%s.%N) - $started" | bc)
updates=$(curl -sf "$URL/metrics" | jq '[.counters | to_entries[] | select(.key | test("task-updates")) | .value.count] | add // 0' 2>/dev/null || echo '?')
peak=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$PID/status")
printf 'local_simulate: apps=%d instances=%d tasks=%d secs_to_running=%.1f peak_rss_mb=%d status_updates=%s\n' \
    "$APPS" "$INSTANCES" "$tasks" "$secs" "$peak" "$updates"
