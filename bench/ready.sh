#!/usr/bin/env bash
# Time to ready: from launching the jar to the first 200 from /actuator/health/readiness, and the
# CPU time the JVM used to get there.
#
#   bench/ready.sh            # RUNS launches of the runnable form the README prints (run.sh's)
#   MODE=plain bench/ready.sh # plain `java -jar target/portflux-*.jar`, no class-data archive
#
# Every launch listens on a free loopback port and is stopped (by its PID) once ready.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
RUNS=${RUNS:-5}
MODE=${MODE:-cds}
READY_TIMEOUT=${READY_TIMEOUT:-60}
JAVA_OPTS=${JAVA_OPTS:-}

. "$root/bin/app.sh"
pf_prepare
case $MODE in
  cds) launch=("${PF_JAVA_FLAGS[@]}" -jar "$PF_APP_JAR") ;;
  plain) launch=(-jar "$PF_JAR") ;;
  *) echo "MODE is cds or plain, not $MODE" >&2; exit 2 ;;
esac

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }

times=()
cpus=()
for ((i = 1; i <= RUNS; i++)); do
  port=$(free_port)
  start=$(now_ms)
  # shellcheck disable=SC2086
  "$PF_JAVA" $JAVA_OPTS "${launch[@]}" --server.port="$port" --server.address=127.0.0.1 >/tmp/pf-ready.$$.log 2>&1 &
  pid=$!
  ready=""
  # One poller process for the whole wait: a curl every 20 ms cost this 2-core machine about half a core
  # (25-30 ms of CPU per curl start on this machine) and delayed the start it was timing by about 1 s.
  if ready_at=$(python3 "$here/ready_poll.py" "$port" "$READY_TIMEOUT" "$pid"); then
    ready=$(( ready_at - start ))
    # CPU time the JVM used to get there (all its threads): steadier than wall time on a shared machine.
    cpu=$(awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$pid/stat")
  fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [[ -n $ready ]] || { cat /tmp/pf-ready.$$.log >&2; echo "not ready within ${READY_TIMEOUT}s" >&2; exit 1; }
  echo "run $i: ready in ${ready} ms, ${cpu} ms of CPU" >&2
  times+=("$ready")
  cpus+=("$cpu")
done
rm -f /tmp/pf-ready.$$.log
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}')
cpu_median=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "CPU to ready: median ${cpu_median} ms"
echo "ready ($MODE, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $RUNS runs): median ${median} ms, min $(echo "$sorted" | head -1) ms, max $(echo "$sorted" | tail -1) ms"
