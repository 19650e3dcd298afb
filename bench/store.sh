#!/usr/bin/env bash
# The store's cost on a scan: a full-range (1-65535) loopback background scan, from POST /api/scans to
# the end of its SSE stream (/api/scans/{id}/events, curl -N), with PostgreSQL as the store, side by side
# with the embedded H2 store, in interleaved rounds in one run. Then one report=all scan on each, checked
# to be stored completely (65,535 port events and 65,535 port results).
#
#   bench/store.sh                 # RUNS=7 rounds
#   RUNS=3 QUERY=',"report":"all"' bench/store.sh
#
# Needs root (a private network namespace), python3, curl, and Debian's postgresql package: the script
# makes a PostgreSQL cluster of its own (initdb as the postgres user, in a temporary directory, on
# 127.0.0.1 inside the namespace) and deletes it on exit. Targets are 127.0.0.1 in that namespace only.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
log() { printf '[store-bench] %s\n' "$*" >&2; }
die() { printf '[store-bench] ERROR: %s\n' "$*" >&2; exit 1; }

if [[ -z ${STOREBENCH_INNER:-} ]]; then
  [[ $(id -u) == 0 ]] || die "needs root (ip netns, and initdb as the postgres user)"
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [[ -x $pgbin/initdb ]] || die "PostgreSQL is not installed: apt-get install -y postgresql"
  JAR=${JAR:-$(ls "$root"/target/portflux-*.jar 2>/dev/null | head -n1 || true)}
  if [[ -z $JAR ]]; then
    (cd "$root" && ./mvnw -B -q package -DskipTests)
    JAR=$(ls "$root"/target/portflux-*.jar | head -n1)
  fi
  ns="pfstore-$$"
  ip netns add "$ns"
  trap 'ip netns delete "$ns" 2>/dev/null || true' EXIT
  ip netns exec "$ns" ip link set lo up
  STOREBENCH_INNER=1 PGBIN=$pgbin JAR=$JAR ip netns exec "$ns" "$0" "$@"
  exit $?
fi

RUNS=${RUNS:-7}
QUERY=${QUERY:-}
JAVA_OPTS=${JAVA_OPTS:--XX:+UseParallelGC -Xms512m -Xmx512m}
LISTEN_PORTS=${LISTEN_PORTS:-22 80 443 5000 8080 50000}
RESULTS=${RESULTS:-$here/results-store-$(date +%Y-%m-%d).md}

work=$(mktemp -d /tmp/pfstore.XXXXXX)
chmod 755 "$work"
pids=()
pg_started=0
cleanup() {
  # start_portflux runs in a command substitution (a subshell): it leaves its server's PID in a file.
  for f in "$work"/*.pid; do [[ -f $f ]] && pids+=("$(cat "$f")"); done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if (( pg_started )); then su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $work/pg -m immediate -w stop" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Listeners that accept and drop, so that the scans have open ports to find.
python3 - $LISTEN_PORTS > "$work/listeners.log" 2>&1 <<'PY' &
import selectors, socket, sys
sel = selectors.DefaultSelector()
for p in map(int, sys.argv[1:]):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", p)); s.listen(4096); s.setblocking(False); sel.register(s, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        try:
            c, _ = key.fileobj.accept(); c.close()
        except OSError:
            pass
PY
pids+=($!)

# A private PostgreSQL with its default durability (fsync and synchronous_commit on).
pg_port=$(free_port)
mkdir "$work/pg" && chown postgres:postgres "$work/pg"
su postgres -s /bin/sh -c "$PGBIN/initdb -A trust -U postgres -E UTF8 -D $work/pg" > "$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log" >&2; die "initdb failed"; }
su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $work/pg -l $work/pg/server.log -w -o '-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1' start" >/dev/null \
  || { cat "$work/pg/server.log" >&2; die "PostgreSQL did not start"; }
pg_started=1
su postgres -s /bin/sh -c "$PGBIN/psql -h 127.0.0.1 -p $pg_port -U postgres -qc 'CREATE DATABASE portflux'" >/dev/null
pg_version=$(su postgres -s /bin/sh -c "$PGBIN/psql -h 127.0.0.1 -p $pg_port -U postgres -tAc 'SHOW server_version'")
log "PostgreSQL $pg_version on 127.0.0.1:$pg_port"

start_portflux() { # name, extra args...
  local name=$1 port
  shift
  port=$(free_port)
  # shellcheck disable=SC2086
  java $JAVA_OPTS -jar "$JAR" --server.port="$port" --server.address=127.0.0.1 \
    --portflux.quotas.scans-per-minute=0 --portflux.scans.max-retained=1000 "$@" > "$work/$name.log" 2>&1 &
  pids+=($!)
  echo $! > "$work/$name.pid"
  for _ in $(seq 1800); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/actuator/health/readiness" && { echo "$port"; return; }
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.05
  done
  cat "$work/$name.log" >&2
  die "$name did not get ready"
}
embedded_port=$(start_portflux embedded --portflux.store.path="$work/h2")
postgres_port=$(start_portflux postgres --spring.r2dbc.url="r2dbc:postgresql://127.0.0.1:$pg_port/portflux" \
  --spring.r2dbc.username=postgres)
log "PortFlux: embedded store on :$embedded_port, PostgreSQL store on :$postgres_port"

expected_open=$(( $(wc -w <<<"$LISTEN_PORTS") + 3 ))   # the listeners, both PortFlux ports and PostgreSQL
# One background scan: POST, then its event stream to the end. Prints "ms scan-id"; checks the done event.
scan() { # port, extra JSON members
  local port=$1 extra=${2:-} t0 t1 id out
  t0=$(date +%s%N)
  id=$(curl -fs -H 'Content-Type: application/json' \
    -d "{\"targets\":\"127.0.0.1\",\"ports\":\"1-65535\"$extra}" "http://127.0.0.1:$port/api/scans" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  out="$work/scan-$id.sse"
  curl -fsN "http://127.0.0.1:$port/api/scans/$id/events" > "$out"
  t1=$(date +%s%N)
  python3 - "$out" "$expected_open" <<'PY' || die "scan $id on :$port did not complete as expected"
import json, sys
events = open(sys.argv[1]).read().split("\n\n")
done = [e for e in events if "event:done" in e][-1]
data = json.loads("".join(l[5:] for l in done.splitlines() if l.startswith("data:")))
assert data["status"] == "completed" and data["scanned"] == 65535, data
assert data["open"] == int(sys.argv[2]), data
PY
  echo "$(( (t1 - t0) / 1000000 )) $id"
}

for warm in 1 2; do scan "$embedded_port" "$QUERY" >/dev/null; scan "$postgres_port" "$QUERY" >/dev/null; done
log "timing: $RUNS interleaved rounds (embedded, PostgreSQL)"
e_times=(); p_times=()
for ((r = 1; r <= RUNS; r++)); do
  e=$(scan "$embedded_port" "$QUERY" | cut -d' ' -f1)
  p=$(scan "$postgres_port" "$QUERY" | cut -d' ' -f1)
  log "round $r: embedded $e ms, PostgreSQL $p ms"
  e_times+=("$e"); p_times+=("$p")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
e_med=$(median "${e_times[@]}"); p_med=$(median "${p_times[@]}")
ratio=$(awk -v p="$p_med" -v e="$e_med" 'BEGIN {printf "%.2f", p / e}')

# report=all: every one of the 65,535 verdicts is an event and a result row; check they were all stored.
all_id=$(scan "$postgres_port" ',"report":"all"' | cut -d' ' -f2)
# The stream ends with the in-memory done event; the rows follow in batches. Wait (60 s at most) for the
# final batch, which sets the scan's status, and say how long that took.
psql_q() { su postgres -s /bin/sh -c "$PGBIN/psql -h 127.0.0.1 -p $pg_port -U postgres -d portflux -tAc \"$1\""; }
t0=$(date +%s%N)
for _ in $(seq 600); do
  [[ $(psql_q "SELECT status FROM scans WHERE id = '$all_id'") == completed ]] && break
  sleep 0.1
done
lag_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
log "report=all on PostgreSQL: every row stored $lag_ms ms after the stream's done event"
stored=$(su postgres -s /bin/sh -c "$PGBIN/psql -h 127.0.0.1 -p $pg_port -U postgres -d portflux -tAc \"SELECT (SELECT count(*) FROM port_results WHERE scan_id = '$all_id') || ' ' || (SELECT count(*) FROM scan_events WHERE scan_id = '$all_id' AND name = 'port')\"")
log "report=all on PostgreSQL: port results and port events stored: $stored"
[[ $stored == "65535 65535" ]] || die "report=all scan $all_id not stored completely: $stored"
replayed=$(curl -fsN "http://127.0.0.1:$embedded_port/api/scans/$(scan "$embedded_port" ',"report":"all"' | cut -d' ' -f2)/events" \
  | grep -c '^event:port')
log "report=all on the embedded store: port events replayed: $replayed"
[[ $replayed == 65535 ]] || die "report=all on the embedded store replayed $replayed port events"

{
  echo "# Store benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Full-range (1-65535) loopback background scan, POST to the end of its SSE stream, $RUNS interleaved rounds after 2 warm-ups each."
  echo
  echo "| store | median | min | max |"
  echo "|---|---|---|---|"
  echo "| embedded H2 file | $e_med ms | $(printf '%s\n' "${e_times[@]}" | sort -n | head -1) ms | $(printf '%s\n' "${e_times[@]}" | sort -n | tail -1) ms |"
  echo "| PostgreSQL $pg_version | $p_med ms | $(printf '%s\n' "${p_times[@]}" | sort -n | head -1) ms | $(printf '%s\n' "${p_times[@]}" | sort -n | tail -1) ms |"
  echo
  echo "PostgreSQL / embedded: **$ratio** (target: at most 1.15)."
  echo "report=all stored completely on both: 65,535 port events (and, on PostgreSQL, 65,535 port_results rows); on PostgreSQL the last rows were committed $lag_ms ms after the stream's done event."
  echo
  echo "- commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- JAVA_OPTS: \`$JAVA_OPTS\`, QUERY: \`$QUERY\`"
} | tee "$RESULTS"
