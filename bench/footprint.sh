#!/usr/bin/env bash
# Footprint in a pod: the JVM runs in a memory cgroup limited to MAX_RAM, as in a pod with that
# limit (the kernel reclaims page cache and OOM-kills the JVM if what it holds does not fit, and
# the JVM sizes its heap from the limit). Without root or a writable memory controller it is only
# told the limit (-XX:MaxRAM), which is weaker: nothing is enforced. It then runs a full-range
# report=all background scan of 127.0.0.1 watched by CLIENTS streaming clients at once, plus one
# full-range report=all streamed scan. Prints the time to ready, the peak RSS (VmHWM) and the
# cgroup's own peak, and fails if a stream did not end on a completed `done`. The
# scans are stored in the embedded store (an H2 file in a temporary directory), as by default.
#
#   bench/footprint.sh                      # MAX_RAM=384m (the chart default limit) CLIENTS=50
#   PROFILE=small bench/footprint.sh        # the image's flags for a 256 MiB pod, in a 256 MiB limit
#   MAX_RAM=192m CLIENTS=20 bench/footprint.sh
#
# Loopback only: the scans target 127.0.0.1, and the process is stopped by its PID at the end.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# PROFILE=small: the flags the Dockerfile gives for a 256 MiB pod (PORTFLUX_SMALL_POD_OPTS), in a 256 MiB limit.
PROFILE=${PROFILE:-default}
case $PROFILE in
  default) MAX_RAM=${MAX_RAM:-384m} ;;
  small) MAX_RAM=${MAX_RAM:-256m} ;;
  *) echo "PROFILE is default or small, not $PROFILE" >&2; exit 2 ;;
esac
CLIENTS=${CLIENTS:-50}
STREAM_TIMEOUT=${STREAM_TIMEOUT:-300}
# The memory flags of the image and the chart (see Dockerfile); the small profile's expand the default ones there.
docker_env() { sed -n "s/^ENV $1=\"\(.*\)\"\$/\1/p" "$root/Dockerfile"; }
default_opts=$(docker_env PORTFLUX_MEMORY_OPTS)
if [[ $PROFILE == small ]]; then
  default_opts=$(docker_env PORTFLUX_SMALL_POD_OPTS | sed "s|\${PORTFLUX_MEMORY_OPTS}|$default_opts|")
fi
[[ -n $default_opts && $default_opts != *'${'* ]] || { echo "no memory flags for PROFILE=$PROFILE in the Dockerfile" >&2; exit 2; }
MEM_OPTS=${MEM_OPTS:-$default_opts -XX:+ExitOnOutOfMemoryError}
# As in the image: glibc keeps to two malloc arenas instead of one per thread.
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}

. "$root/bin/app.sh"
pf_prepare

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
work=$(mktemp -d /tmp/pffoot.XXXXXX)
now_ms() { date +%s%3N; }

# A memory cgroup of our own (v2, else v1), removed at the end; LIMIT=maxram forces -XX:MaxRAM only.
cgroup=""
limit_bytes=$(numfmt --from=iec "${MAX_RAM^^}")
if [[ ${LIMIT:-cgroup} == cgroup && $(id -u) == 0 ]]; then
  for parent in /sys/fs/cgroup/unified /sys/fs/cgroup /sys/fs/cgroup/memory; do
    if [[ -f $parent/cgroup.controllers ]] && grep -qw memory "$parent/cgroup.controllers" \
        && mkdir "$parent/pffoot.$$" 2>/dev/null; then
      if echo "$limit_bytes" > "$parent/pffoot.$$/memory.max" 2>/dev/null; then cgroup=$parent/pffoot.$$; break; fi
      rmdir "$parent/pffoot.$$"
    elif [[ -f $parent/memory.limit_in_bytes ]] && mkdir "$parent/pffoot.$$" 2>/dev/null; then
      echo "$limit_bytes" > "$parent/pffoot.$$/memory.limit_in_bytes" && cgroup=$parent/pffoot.$$ && break
      rmdir "$parent/pffoot.$$"
    fi
  done
fi
if [[ -n $cgroup ]]; then
  limit_how="a memory cgroup limited to $MAX_RAM ($cgroup)"
  launch=(bash -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cgroup" "$PF_JAVA")
else
  limit_how="-XX:MaxRAM=$MAX_RAM (no cgroup: not root, or no writable memory controller; the limit is not enforced)"
  launch=("$PF_JAVA" -XX:MaxRAM="$MAX_RAM")
fi
cgroup_peak() {
  [[ -n $cgroup ]] || { echo "-"; return; }
  local f; for f in memory.peak memory.max_usage_in_bytes; do
    [[ -f $cgroup/$f ]] && { echo "$(( $(cat "$cgroup/$f") / 1048576 )) MiB"; return; }
  done
  echo "-"
}
oom_kills() {
  [[ -n $cgroup ]] || { echo "-"; return; }
  if [[ -f $cgroup/memory.events ]]; then awk '$1 == "oom_kill" {print $2}' "$cgroup/memory.events"
  else awk '$1 == "oom_kill" {print $2}' "$cgroup/memory.oom_control" 2>/dev/null || echo "-"; fi
}

start=$(now_ms)
# Quotas off: the 50 clients all come from 127.0.0.1, which would otherwise count as one client.
# shellcheck disable=SC2086
"${launch[@]}" $MEM_OPTS "${PF_JAVA_FLAGS[@]}" -jar "$PF_APP_JAR" \
  --server.address=127.0.0.1 --server.port="$port" \
  --portflux.quotas.scans-per-minute=0 --portflux.quotas.max-concurrent-scans-per-client=0 \
  --portflux.store.path="$work/store" >"$work/app.log" 2>&1 &
pid=$!
stop() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap 'stop; rm -rf "$work"; [[ -z $cgroup ]] || rmdir "$cgroup" 2>/dev/null || true' EXIT

ready=""
# One poller process (bench/ready_poll.py, as bench/ready.sh): a curl per poll costs this machine 25 ms of CPU.
if ready_at=$(python3 "$here/ready_poll.py" "$port" 60 "$pid"); then ready=$(( ready_at - start )); fi
[[ -n $ready ]] || { cat "$work/app.log" >&2; echo "not ready" >&2; exit 1; }
rss_ready=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)

# The RSS sampler: /proc's VmHWM is the kernel's own peak, this only shows the course.
# RssAnon is the part a memory limit cannot drop: mapped jar and archive pages are counted in VmRSS too,
# even when their page cache is charged to another cgroup, and are dropped and read again under pressure.
( while kill -0 "$pid" 2>/dev/null; do
    awk '/VmRSS/ {r = $2} /RssAnon/ {a = $2} END {print r, a}' /proc/$pid/status 2>/dev/null; sleep 0.2
  done ) >"$work/rss" &
sampler=$!
# HISTO=1: the live heap's largest classes every 15 s (a full GC each time), kept with a failed run's
# post-mortem: the last one before an OutOfMemoryError shows what filled the heap.
histos=""
if [[ ${HISTO:-0} == 1 ]]; then
  ( n=0; while kill -0 "$pid" 2>/dev/null; do sleep 15; n=$((n + 1))
      jcmd "$pid" GC.class_histogram 2>/dev/null | head -30 > "$work/histo.$n.tmp" && mv "$work/histo.$n.tmp" "$work/histo.$n"
    done ) &
  histos=$!
fi

t0=$(now_ms)
id=$(curl -fs -X POST "$base/api/scans" -H 'Content-Type: application/json' \
  -d '{"targets":"127.0.0.1","ports":"all","report":"all"}' | sed 's/.*"id":"\([^"]*\)".*/\1/')
clients=()
for ((i = 1; i <= CLIENTS; i++)); do
  curl -sN --max-time "$STREAM_TIMEOUT" "$base/api/scans/$id/events" >"$work/watch.$i" &
  clients+=($!)
done
curl -sN --max-time "$STREAM_TIMEOUT" "$base/api/scan?targets=127.0.0.1&ports=all&report=all" >"$work/stream" &
clients+=($!)
for c in "${clients[@]}"; do wait "$c" || true; done
elapsed=$(( $(now_ms) - t0 ))
kill "$sampler" 2>/dev/null || true
[[ -z $histos ]] || kill "$histos" 2>/dev/null || true

if ! kill -0 "$pid" 2>/dev/null; then
  tail -30 "$work/app.log" >&2
  kept=$(mktemp -d /tmp/pffoot-failed.XXXXXX)
  cp "$work/app.log" "$work"/histo.* "$kept/" 2>/dev/null || true
  echo "FAILED: PortFlux exited during the scans (OOM kills in its cgroup: $(oom_kills)); kept: $kept" >&2
  exit 1
fi
peak_kb=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
# NMT=1 adds -XX:NativeMemoryTracking=summary (in MEM_OPTS) and prints the JVM's own breakdown here.
[[ ${NMT:-0} == 1 ]] && jcmd "$pid" VM.native_memory summary | grep -E "committed=" | head -25
failed=0
for f in "$work"/watch.* "$work/stream"; do
  ports=$(grep -c '^event:port' "$f" || true)
  last=$(grep '^event:' "$f" | tail -1 || true)
  if [[ $last != "event:done" ]] || ! tail -3 "$f" | grep -q '"status":"completed"' || (( ports != 65535 )); then
    echo "FAILED: $(basename "$f"): $ports port events, last $last" >&2
    failed=1
  fi
done
if (( failed )); then
  # Kept for a post-mortem: the server's threads as they are now, its log, and what each failed stream got.
  kept=$(mktemp -d /tmp/pffoot-failed.XXXXXX)
  jcmd "$pid" Thread.print > "$kept/threads.txt" 2>&1 || true
  cp "$work/app.log" "$kept/" 2>/dev/null || true
  for f in "$work"/watch.* "$work/stream"; do tail -c 2000 "$f" > "$kept/$(basename "$f").tail"; done
  echo "kept for a post-mortem: $kept" >&2
fi
echo "footprint: in $limit_how; flags '$MEM_OPTS' MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ready: ${ready} ms; RSS when ready: $(( rss_ready / 1024 )) MiB"
echo "$CLIENTS watchers of a 65,535-port report=all background scan + 1 streamed report=all scan: ${elapsed} ms"
echo "peak RSS (VmHWM): $(( peak_kb / 1024 )) MiB (sampled max $(( $(awk '{print $1}' "$work/rss" | sort -n | tail -1) / 1024 )) MiB, of it anonymous at most $(( $(awk '{print $2}' "$work/rss" | sort -n | tail -1) / 1024 )) MiB); cgroup peak (with page cache): $(cgroup_peak); OOM kills: $(oom_kills)"
exit $failed
