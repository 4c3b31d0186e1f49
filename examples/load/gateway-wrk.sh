#!/usr/bin/env bash
# Bounded wrk load against the example gateway on loopback, next to a bare Jetty handler in the same run.
#   ./mvnw -q -DskipTests package && bash examples/load/gateway-wrk.sh            # DURATION=60s THREADS=2 CONNECTIONS=32
# Prints, per run: requests/s, latency, status counts (only 200/401/429 are acceptable; any 5xx fails the script) and
# the gateway's used heap after a full GC before and after the runs (heap flat = no leak under load).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=examples/target/gateway.jar
DURATION=${DURATION:-60s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
command -v wrk >/dev/null || { echo "error: wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
[ -f "$JAR" ] || { echo "error: $JAR missing; run ./mvnw -q -DskipTests package" >&2; exit 1; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_up() { # port path log
  for _ in $(seq 1 600); do curl -fs -o /dev/null "http://127.0.0.1:$1$2" && return 0; sleep 0.2; done
  echo "error: nothing on port $1 after 120 s" >&2; tail -5 "$3" >&2; return 1
}
used_heap() { jcmd "$1" GC.run >/dev/null; jcmd "$1" GC.heap_info | awk '/used/ {for(i=1;i<=NF;i++) if($i=="used") {v=$(i+1); sub(",","",v); print v; exit}}'; }

run() { # name url [body]
  echo "== $1: $2 (${DURATION}, ${THREADS} threads, ${CONNECTIONS} connections)"
  WRK_BODY="${3:-}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s examples/load/status-count.lua "$2" \
    | tee "$WORK/$1.txt" | grep -E 'Requests/sec|Latency |50%|99%|status'
  if grep -qE '^status 5[0-9][0-9]' "$WORK/$1.txt"; then echo "error: 5xx answers in $1" >&2; exit 1; fi
  if grep -E '^status ' "$WORK/$1.txt" | grep -vqE '^status (200|401|429):'; then echo "error: unexpected status in $1" >&2; exit 1; fi
}

JAVA_OPTS="-Xmx512m"
BARE=$(free_port)
java $JAVA_OPTS -cp "$JAR" dev.secureyeoman.examples.BareJettyBaseline "$BARE" >"$WORK/bare.log" 2>&1 & PIDS+=($!)
wait_up "$BARE" / "$WORK/bare.log"

# two gateways: the default config (100 requests/min per client: load is mostly 429s) and one with the limit raised
# so that the whole pipeline (ids, headers, CORS, limiter, routing, JSON) answers 200
printf 'security:\n  http: { rate_limit: { window_ms: 60000, max_requests: 1000000 } }\n' >"$WORK/open.yaml"
GW=$(free_port); GW_OPEN=$(free_port)
SECUREYEOMAN_ADMIN_PASSWORD='load test admin password, thirty-two chars' \
  java $JAVA_OPTS -jar "$JAR" --port "$GW" --data-dir "$WORK/gw" >"$WORK/gw.log" 2>&1 & PIDS+=($!); GW_PID=$!
SECUREYEOMAN_ADMIN_PASSWORD='load test admin password, thirty-two chars' \
  java $JAVA_OPTS -jar "$JAR" --port "$GW_OPEN" --data-dir "$WORK/gw-open" --config "$WORK/open.yaml" >"$WORK/gw-open.log" 2>&1 & PIDS+=($!); OPEN_PID=$!
wait_up "$GW" /healthz "$WORK/gw.log"; wait_up "$GW_OPEN" /healthz "$WORK/gw-open.log"

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)   cores: $(nproc)"
HEAP_BEFORE=$(used_heap "$OPEN_PID")
run bare "http://127.0.0.1:$BARE/"
run gateway-healthz "http://127.0.0.1:$GW_OPEN/healthz"
run gateway-healthz-default-limit "http://127.0.0.1:$GW/healthz"
run gateway-login "http://127.0.0.1:$GW_OPEN/api/v1/auth/login" '{"username":"admin","password":"not the password"}'
HEAP_AFTER=$(used_heap "$OPEN_PID")
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "gateway used heap after full GC: before ${HEAP_BEFORE}, after ${HEAP_AFTER}"
echo "gateway (default limit) used heap after full GC: $(used_heap "$GW_PID")"
