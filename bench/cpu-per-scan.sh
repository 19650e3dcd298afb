#!/usr/bin/env bash
# CPU time per full-range loopback scan, a steadier figure than wall time on a shared machine.
# Usage: bench/cpu-per-scan.sh [JAR] [EXTRA_QUERY] [RUNS]
#   e.g. bench/cpu-per-scan.sh target/portflux-0.1.0-SNAPSHOT.jar '&concurrency=512' 6
# JAVA_OPTS adds JVM flags (e.g. -Dportflux.probe.transport=epoll). Scans 127.0.0.1 only, on the
# host's loopback; stops only the JVM it started, by PID.
set -euo pipefail
JAR=${1:-$(ls target/portflux-*.jar | head -1)}
QUERY=${2:-}
RUNS=${3:-5}
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT/api/scan?targets=127.0.0.1&ports=1-65535$QUERY"

# shellcheck disable=SC2086
java -XX:+UseParallelGC -Xms512m -Xmx512m -Djava.net.preferIPv4Stack=true ${JAVA_OPTS:-} \
  -jar "$JAR" --server.port="$PORT" > /tmp/cpu-per-scan-app.log 2>&1 &
APP=$!
trap 'kill "$APP" 2>/dev/null || true; wait "$APP" 2>/dev/null || true' EXIT
for _ in $(seq 1 90); do
  curl -sf "127.0.0.1:$PORT/actuator/health/readiness" >/dev/null && break
  sleep 1
done
for _ in 1 2 3; do curl -sN "$URL" > /dev/null; done   # warm-up

tick=$(getconf CLK_TCK)
read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$APP/stat")
t0=$(date +%s%N)
for _ in $(seq 1 "$RUNS"); do
  curl -sN "$URL" | grep -o '"status":"[a-z]*"' | tail -1
done
t1=$(date +%s%N)
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$APP/stat")
echo "per scan: user $(( (u1 - u0) * 1000 / tick / RUNS )) ms, sys $(( (s1 - s0) * 1000 / tick / RUNS )) ms, wall $(( (t1 - t0) / 1000000 / RUNS )) ms"
