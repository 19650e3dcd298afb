#!/usr/bin/env bash
# One scan, many replicas: the time of one shared background scan (distribute=on) on 1, 2 and 3 PortFlux
# replicas that share one PostgreSQL, on a workload bound by waiting, not by CPU: every probe goes to a
# blackhole port (a listener whose accept queue is full, so the kernel drops the SYN) and waits out its 1 s
# timeout, and each replica may have only BUDGET probes in flight (portflux.probe.in-flight-budget), standing in
# for a pod's limits. From POST /api/scans to the end of its SSE stream (curl -N), checked: completed, every
# probe filtered, every range finished.
#
#   bench/shards.sh                  # 8 addresses x 1024 ports, timeout 1s, retries 1, budget 512
#   HOSTS=4 PORTS=512 RUNS=3 bench/shards.sh
#
# Needs root (a private network namespace; initdb as the postgres user), python3, curl, and Debian's postgresql
# package. Targets are 127.0.0.1-127.0.0.$HOSTS inside that namespace only. Kills only what it started, by PID.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
log() { printf '[shards-bench] %s\n' "$*" >&2; }
die() { printf '[shards-bench] ERROR: %s\n' "$*" >&2; exit 1; }

if [[ -z ${SHARDSBENCH_INNER:-} ]]; then
  [[ $(id -u) == 0 ]] || die "needs root (ip netns, and initdb as the postgres user)"
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [[ -x $pgbin/initdb ]] || die "PostgreSQL is not installed: apt-get install -y postgresql"
  JAR=${JAR:-$(ls "$root"/target/portflux-*.jar 2>/dev/null | grep -v plain | head -n1 || true)}
  if [[ -z $JAR ]]; then
    (cd "$root" && ./mvnw -B -q package -DskipTests)
    JAR=$(ls "$root"/target/portflux-*.jar | grep -v plain | head -n1)
  fi
  ns="pfshards-$$"
  ip netns add "$ns"
  trap 'ip netns delete "$ns" 2>/dev/null || true' EXIT
  ip netns exec "$ns" ip link set lo up
  SHARDSBENCH_INNER=1 PGBIN=$pgbin JAR=$JAR ip netns exec "$ns" "$0" "$@"
  exit $?
fi

HOSTS=${HOSTS:-8}
PORTS=${PORTS:-1024}
FIRST_PORT=${FIRST_PORT:-20000}
BUDGET=${BUDGET:-512}
TIMEOUT=${TIMEOUT:-1s}
RETRIES=${RETRIES:-1}
CONCURRENCY=${CONCURRENCY:-512}
RANGES=${RANGES:-64}
RANGES_PER_REPLICA=${RANGES_PER_REPLICA:-4}
RUNS=${RUNS:-1}
JAVA_OPTS=${JAVA_OPTS:--XX:+UseParallelGC -Xms256m -Xmx256m}
RESULTS=${RESULTS:-$here/results-shards-$(date +%Y-%m-%d).md}
last_port=$((FIRST_PORT + PORTS - 1))
total=$((HOSTS * PORTS))

work=$(mktemp -d /tmp/pfshards.XXXXXX)
chmod 755 "$work"
pids=()
pg_started=0
cleanup() {
  for f in "$work"/*.pid; do [[ -f $f ]] && pids+=("$(cat "$f")"); done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if (( pg_started )); then su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $work/pg -m immediate -w stop" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Blackhole ports: a listener with a backlog of 0 that never accepts, and one connection that fills its accept
# queue; the kernel then drops every SYN to it, so a connect to it waits out its timeout (as in
# Listeners.FullQueue of the tests).
# Each blackhole port holds two descriptors here (the listener and the connection that fills its queue).
ulimit -n "$(ulimit -Hn)"
(( $(ulimit -n) > 2 * HOSTS * PORTS + 100 )) || die "needs $((2 * HOSTS * PORTS + 100)) open files, the limit is $(ulimit -n)"
python3 - "$HOSTS" "$FIRST_PORT" "$PORTS" "$work/blackhole.ready" > "$work/blackhole.log" 2>&1 <<'PY' &
import socket, sys, time
hosts, first, count, ready = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
keep = []
for h in range(1, hosts + 1):
    address = "127.0.0.%d" % h
    for port in range(first, first + count):
        s = socket.socket()
        s.bind((address, port))
        s.listen(0)
        c = socket.create_connection((address, port), timeout=5)
        keep += [s, c]
open(ready, "w").write("%d\n" % (len(keep) // 2))
while True:
    time.sleep(3600)
PY
pids+=($!)
for _ in $(seq 1200); do [[ -f $work/blackhole.ready ]] && break; sleep 0.1; done
[[ -f $work/blackhole.ready ]] || { cat "$work/blackhole.log" >&2; die "the blackhole listeners did not start"; }
log "$(cat "$work/blackhole.ready") blackhole ports on 127.0.0.1-$HOSTS:$FIRST_PORT-$last_port"

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

ports=()
start_replica() { # name
  local name=$1 port
  port=$(free_port)
  # shellcheck disable=SC2086
  java $JAVA_OPTS -jar "$JAR" --server.port="$port" --server.address=127.0.0.1 \
    --spring.r2dbc.url="r2dbc:postgresql://127.0.0.1:$pg_port/portflux" --spring.r2dbc.username=postgres \
    --portflux.store.replica-id="$name" --portflux.quotas.scans-per-minute=0 \
    --portflux.probe.in-flight-budget="$BUDGET" --portflux.detect.enabled=false \
    --portflux.cluster.ranges="$RANGES" --portflux.cluster.ranges-per-replica="$RANGES_PER_REPLICA" \
    --portflux.cluster.claim-interval=500ms > "$work/$name.log" 2>&1 &
  echo $! > "$work/$name.pid"
  for _ in $(seq 1800); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/actuator/health/readiness" && { ports+=("$port"); return; }
    kill -0 "$(cat "$work/$name.pid")" 2>/dev/null || break
    sleep 0.1
  done
  cat "$work/$name.log" >&2
  die "$name did not get ready"
}

# One shared scan through the first replica; prints "ms replicas-that-finished-ranges". Checks the done event.
scan() { # replicas expected to work
  local n=$1 t0 t1 id out
  t0=$(date +%s%N)
  id=$(curl -fs -H 'Content-Type: application/json' \
    -d "{\"targets\":\"127.0.0.1-127.0.0.$HOSTS\",\"ports\":\"$FIRST_PORT-$last_port\",\"timeout\":\"$TIMEOUT\",\"retries\":\"$RETRIES\",\"concurrency\":\"$CONCURRENCY\",\"distribute\":\"on\",\"detect\":\"off\"}" \
    "http://127.0.0.1:${ports[0]}/api/scans" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  out="$work/scan-$id.sse"
  curl -fsN "http://127.0.0.1:${ports[0]}/api/scans/$id/events" > "$out"
  t1=$(date +%s%N)
  workers=$(python3 "$work/check.py" "$out" "$total" "$n") || die "scan $id did not complete as expected"
  echo "$(( (t1 - t0) / 1000000 )) $workers"
}

cat > "$work/check.py" <<'PY'
import collections, json, sys
events = [e for e in open(sys.argv[1]).read().split("\n\n") if e.strip()]
def data(e):
    return json.loads("".join(l[5:] for l in e.splitlines() if l.startswith("data:")))
done = data([e for e in events if "event:done" in e][-1])
total, n = int(sys.argv[2]), int(sys.argv[3])
assert done["status"] == "completed" and done["scanned"] == total, done
assert done["filtered"] == total, done
finished = collections.Counter(d["replica"] for d in map(data, (e for e in events if "event:shard" in e))
                               if d["action"] == "finished")
assert len(finished) == n, finished
print(" ".join("%s:%d" % kv for kv in sorted(finished.items())))
PY

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
declare -A times
declare -A split
for n in 1 2 3; do
  start_replica "r$n"
  log "replica r$n ready on :${ports[-1]}"
  sleep 3   # every replica's lease row is written and counted
  ts=()
  for ((r = 1; r <= RUNS; r++)); do
    read -r ms workers <<<"$(scan "$n")" || true
    [[ -n ${ms:-} ]] || die "the scan on $n replica(s) failed (logs: $work/r*.log)"
    log "$n replica(s), run $r: $ms ms (ranges finished: $workers)"
    ts+=("$ms")
    split[$n]=$workers
  done
  times[$n]=$(median "${ts[@]}")
done

used=$(( total / 256 < RANGES ? (total / 256 > 0 ? total / 256 : 1) : RANGES ))
ideal=$(awk -v p="$total" -v r="$RETRIES" -v b="$BUDGET" -v t="${TIMEOUT%s}" 'BEGIN {printf "%.1f", p * (r + 1) * t / b}')
commit=$(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
{
  echo "# bench/shards.sh, $(date -u +%Y-%m-%dT%H:%MZ), commit $commit"
  echo
  echo "$HOSTS addresses x $PORTS blackhole ports = $total probes, timeout $TIMEOUT, retries $RETRIES,"
  echo "concurrency $CONCURRENCY per range, $used ranges ($RANGES asked; at least 256 probes a range), $RANGES_PER_REPLICA ranges per replica at once,"
  echo "in-flight budget $BUDGET per replica; one replica alone needs at least $ideal s (probes x tries x timeout / budget)."
  echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), PostgreSQL $pg_version, $(java -version 2>&1 | head -n1)"
  echo
  echo "| replicas | time (median of $RUNS) | speed-up | ranges finished |"
  echo "|---|---|---|---|"
  for n in 1 2 3; do
    echo "| $n | $(awk -v t="${times[$n]}" 'BEGIN {printf "%.1f s", t / 1000}') | $(awk -v a="${times[1]}" -v b="${times[$n]}" 'BEGIN {printf "%.2fx", a / b}') | ${split[$n]} |"
  done
} | tee "$RESULTS"
log "written to $RESULTS"
