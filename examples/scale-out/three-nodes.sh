#!/usr/bin/env bash
# Three example gateways on one machine sharing one PostgreSQL (auth: users, sessions, revocations, 2FA state; the audit
# log: one chain for all nodes) and one Redis (HTTP rate limit and login throttling) — docs/scale-out.md, "Three nodes on one machine".
#
#   ./mvnw -q -DskipTests package && bash examples/scale-out/three-nodes.sh      # Ctrl-C stops everything
#
# Without PG_URL / REDIS_URL it starts a throwaway PostgreSQL (Debian 12: apt-get install postgresql; PostgreSQL 15
# binaries in PG_BIN=/usr/lib/postgresql/15/bin) and a throwaway redis-server (apt-get install redis-server) in a temp
# directory, on free loopback ports, and deletes them on exit. To use servers you already run instead:
#   PG_URL=jdbc:postgresql://127.0.0.1:5432/secureyeoman PG_USER=secureyeoman PG_PASSWORD=… \
#   REDIS_URL=redis://:password@127.0.0.1:6379/0 bash examples/scale-out/three-nodes.sh
# Other settings: PORTS="8081 8082 8083", JAVA_OPTS=-Xmx256m, KEEP=1 (keep the temp directory),
# SECUREYEOMAN_ADMIN_PASSWORD (else a random one is printed), SECUREYEOMAN_AUTH_KEY and SECUREYEOMAN_AUDIT_KEY (base64
# of 32 bytes each; else random). Every node gets the same keys and config (one audit chain needs one audit key); each
# keeps its own data directory (kill switch, lock). Verify the shared audit log while it runs, from another terminal:
#   . "$WORK/cli.env" && java -jar secure-cli/target/secureyeoman.jar audit verify --config "$WORK/gateway.yaml"
# ($WORK is printed at start; cli.env holds the database password and the audit key, 0600).
# Demo only: the temp PostgreSQL runs with fsync=off and the app connects as its superuser.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=${JAR:-examples/target/gateway.jar}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PORTS=${PORTS:-8081 8082 8083}
JAVA_OPTS=${JAVA_OPTS:--Xmx256m}

die() { echo "error: $*" >&2; exit 1; }
[ -f "$JAR" ] || die "$JAR missing; run ./mvnw -q -DskipTests package"
command -v java >/dev/null || die "java (17+) is not on the PATH"
command -v curl >/dev/null || die "curl is not installed (apt-get install -y curl)"
if [ -z "${PG_URL:-}" ]; then
  for b in initdb pg_ctl postgres createdb; do
    [ -x "$PG_BIN/$b" ] || die "$PG_BIN/$b not found: apt-get install -y postgresql, or set PG_BIN, or PG_URL for an existing server"
  done
fi
if [ -z "${REDIS_URL:-}" ]; then
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null \
    || die "redis-server / redis-cli not found: apt-get install -y redis-server, or set REDIS_URL"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sy-three-nodes.XXXXXX") # 0700: configs, logs, node data directories
PGDIR=""
GW_PIDS=()
REDIS_PID=""
AS_PG=() # PostgreSQL refuses to run as root: run its binaries as the user 'postgres' then
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || die "running as root needs the user 'postgres' (created by the Debian package postgresql)"
  AS_PG=(runuser -u postgres --)
fi
as_pg() { (cd "$PGDIR" && "${AS_PG[@]}" "$@"); } # from a directory 'postgres' may enter

STOPPED=0
cleanup() {
  [ "$STOPPED" = 1 ] && return
  STOPPED=1
  trap '' INT TERM
  echo "stopping ..."
  for p in "${GW_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${GW_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "$REDIS_PID" ]; then kill -TERM "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
  if [ -n "$PGDIR" ] && [ -f "$PGDIR/data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then
    echo "kept $WORK ${PGDIR:+and $PGDIR}"
  else
    rm -rf "$WORK"
    [ -n "$PGDIR" ] && rm -rf "$PGDIR"
  fi
  echo "stopped"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo "$1"
}
random_secret() { head -c 24 /dev/urandom | base64 | tr -d '/+='; }
wait_healthz() { # port pid log
  for _ in $(seq 1 300); do
    curl -fs -o /dev/null "http://127.0.0.1:$1/healthz" && return 0
    kill -0 "$2" 2>/dev/null || { echo "error: the gateway on port $1 exited:" >&2; tail -5 "$3" >&2; return 1; }
    sleep 0.2
  done
  echo "error: no /healthz on port $1 after 60 s" >&2; tail -5 "$3" >&2; return 1
}
for port in $PORTS; do
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then die "port $port is already in use (set PORTS)"; fi
done

# --- PostgreSQL -------------------------------------------------------------------------------------------------------
if [ -z "${PG_URL:-}" ]; then
  PG_PORT=$(free_port 55432)
  PG_USER=secureyeoman
  PG_PASSWORD=$(random_secret)
  PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/sy-three-nodes-pg.XXXXXX")
  [ ${#AS_PG[@]} -gt 0 ] && chown postgres "$PGDIR"
  (umask 077 && printf '%s\n' "$PG_PASSWORD" >"$PGDIR/pwfile")
  [ ${#AS_PG[@]} -gt 0 ] && chown postgres "$PGDIR/pwfile"
  echo "starting PostgreSQL on 127.0.0.1:$PG_PORT ($PGDIR)"
  # TCP on loopback with a password (scram-sha-256); the Unix socket in the private directory trusts its owner
  as_pg "$PG_BIN/initdb" -D "$PGDIR/data" -U "$PG_USER" --pwfile="$PGDIR/pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync --no-instructions >"$WORK/initdb.log" 2>&1 \
    || { tail -5 "$WORK/initdb.log" >&2; die "initdb failed"; }
  rm -f "$PGDIR/pwfile"
  as_pg "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null \
    || { tail -5 "$PGDIR/postgres.log" >&2; die "PostgreSQL did not start"; }
  as_pg "$PG_BIN/createdb" -h "$PGDIR" -p "$PG_PORT" -U "$PG_USER" secureyeoman
  PG_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/secureyeoman"
fi
: "${PG_USER:?set PG_USER with PG_URL}" "${PG_PASSWORD:?set PG_PASSWORD with PG_URL}"

# --- Redis ------------------------------------------------------------------------------------------------------------
if [ -z "${REDIS_URL:-}" ]; then
  REDIS_PORT=$(free_port 56379)
  REDIS_PASSWORD=$(random_secret)
  mkdir "$WORK/redis"
  # the password goes into a 0600 config file, not into argv (ps)
  (umask 077 && printf 'requirepass %s\n' "$REDIS_PASSWORD" >"$WORK/redis/redis.conf")
  echo "starting Redis on 127.0.0.1:$REDIS_PORT"
  redis-server "$WORK/redis/redis.conf" --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize no --dir "$WORK/redis" >"$WORK/redis/redis.log" 2>&1 &
  REDIS_PID=$!
  redis_up=0
  for _ in $(seq 1 100); do
    # REDISCLI_AUTH keeps the password out of argv
    if [ "$(REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; then
      redis_up=1
      break
    fi
    kill -0 "$REDIS_PID" 2>/dev/null || { tail -5 "$WORK/redis/redis.log" >&2; die "redis-server exited"; }
    sleep 0.1
  done
  [ "$redis_up" = 1 ] || die "Redis did not answer PING within 10 s"
  REDIS_URL="redis://:$REDIS_PASSWORD@127.0.0.1:$REDIS_PORT/0"
fi

# --- the gateways -----------------------------------------------------------------------------------------------------
# one config for every node (0600: it holds the Redis URL with its password; production keeps it in the encrypted
# config, docs/config.md). Every node must use the same limits: they are part of the buckets' identity in Redis.
(umask 077 && cat >"$WORK/gateway.yaml" <<EOF
security:
  storage: { engine: postgres, url: "$PG_URL", user: "$PG_USER", password_env: SY_PG_PASSWORD }
  cache: { redis_url: "$REDIS_URL", rate_limit_on_failure: local }
  auth: { login_rate_limit: { capacity: 5, refill_period: PT1M } }
  http: { rate_limit: { window_ms: 60000, max_requests: 300 } }
EOF
)
GENERATED_ADMIN=0
if [ -z "${SECUREYEOMAN_ADMIN_PASSWORD:-}" ]; then
  SECUREYEOMAN_ADMIN_PASSWORD="$(random_secret)$(random_secret)"
  GENERATED_ADMIN=1
fi
SECUREYEOMAN_AUTH_KEY=${SECUREYEOMAN_AUTH_KEY:-$(head -c 32 /dev/urandom | base64)}
SECUREYEOMAN_AUDIT_KEY=${SECUREYEOMAN_AUDIT_KEY:-$(head -c 32 /dev/urandom | base64)}
export SECUREYEOMAN_ADMIN_PASSWORD SECUREYEOMAN_AUTH_KEY SECUREYEOMAN_AUDIT_KEY
export SY_PG_PASSWORD="$PG_PASSWORD"
# what the CLI needs to read the shared audit log (0600, deleted with the temp directory)
(umask 077 && printf 'export SY_PG_PASSWORD=%q\nexport SECUREYEOMAN_AUDIT_KEY=%q\n' "$PG_PASSWORD" \
  "$SECUREYEOMAN_AUDIT_KEY" >"$WORK/cli.env")

start_node() { # index port
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  java $JAVA_OPTS -jar "$JAR" --port "$2" --data-dir "$WORK/node$1" --config "$WORK/gateway.yaml" \
    >"$WORK/node$1.log" 2>&1 &
  GW_PIDS+=($!)
}
read -r -a PORT_LIST <<<"$PORTS"
[ ${#PORT_LIST[@]} -ge 1 ] || die "PORTS is empty"
# node 1 first: it migrates the schema and creates the admin user; the others then start side by side
start_node 1 "${PORT_LIST[0]}"
wait_healthz "${PORT_LIST[0]}" "${GW_PIDS[0]}" "$WORK/node1.log"
for i in $(seq 2 ${#PORT_LIST[@]}); do start_node "$i" "${PORT_LIST[$((i - 1))]}"; done
for i in $(seq 2 ${#PORT_LIST[@]}); do
  wait_healthz "${PORT_LIST[$((i - 1))]}" "${GW_PIDS[$((i - 1))]}" "$WORK/node$i.log"
done

echo
for i in $(seq 1 ${#PORT_LIST[@]}); do
  echo "node $i: http://127.0.0.1:${PORT_LIST[$((i - 1))]}  (log $WORK/node$i.log, data $WORK/node$i)"
done
[ "$GENERATED_ADMIN" = 1 ] && echo "admin password (this run only): $SECUREYEOMAN_ADMIN_PASSWORD"
echo "PostgreSQL: $PG_URL   Redis: $(printf '%s' "$REDIS_URL" | sed -E 's#//[^@/]*@#//#')"
echo "audit log (one chain): . $WORK/cli.env && java -jar secure-cli/target/secureyeoman.jar audit verify --config $WORK/gateway.yaml"
echo "Ctrl-C stops the gateways${PGDIR:+, PostgreSQL}${REDIS_PID:+ and Redis}."
# wait until Ctrl-C or until one gateway dies (then stop the rest)
set +e
wait -n "${GW_PIDS[@]}"
echo "error: a gateway exited; stopping the others" >&2
exit 1
