#!/usr/bin/env bash
# Records PortFlux's class-data-sharing archive with a training run that serves real requests.
#
#   bin/train.sh JAR ARCHIVE [JAVA FLAGS...]
#
# ARCHIVE ending in .aot is recorded as a Java 25 AOT cache (-XX:AOTCacheOutput), anything else as a
# dynamic class-data archive (-XX:ArchiveClassesAtExit). The JVM is $PF_JAVA, or java on the PATH.
#
# The training start listens on a free loopback port, answers what a fresh instance answers
# first (readiness, the page, an error, a 1-1024 scan of 127.0.0.1 through SSE), and is then
# stopped with SIGTERM; the JVM writes every class it loaded to ARCHIVE as it exits. Later
# starts map those classes instead of parsing jars again, including the classes of the first
# request, which an archive recorded at context refresh (-Dspring.context.exit=onRefresh) lacks.
#
# Only bash is needed (requests go through bash's /dev/tcp), so the image build runs it too.
# Loops are bounded: at most 120 s for the start, each request at most 30 s.
set -euo pipefail
jar=${1:?usage: bin/train.sh JAR ARCHIVE [JAVA FLAGS...]}
archive=${2:?usage: bin/train.sh JAR ARCHIVE [JAVA FLAGS...]}
shift 2
log=$(mktemp)
# The training scan goes to a store of its own, deleted afterwards: nothing of it is left in ./data.
store=$(mktemp -d)
pid=""
# On any exit, the training JVM (started here, known by its PID) does not outlive this script.
trap '[[ -z $pid ]] || kill "$pid" 2>/dev/null || true; rm -rf "$log" "$store"' EXIT

rm -f "$archive"
case $archive in
  *.aot) record=("-XX:AOTCacheOutput=$archive" -Xlog:aot=warning -Xlog:cds=off --enable-native-access=ALL-UNNAMED) ;;
  *) record=("-XX:ArchiveClassesAtExit=$archive" -Xlog:cds=off -Xlog:cds+dynamic=off) ;;
esac
"${PF_JAVA:-java}" "$@" "${record[@]}" -jar "$jar" \
  --server.port=0 --server.address=127.0.0.1 --portflux.store.path="$store" >"$log" 2>&1 &
pid=$!

port=""
for ((i = 0; i < 1200; i++)); do
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; echo "training start exited early" >&2; exit 1; }
  port=$(sed -n 's/.*Netty started on port \([0-9]*\).*/\1/p' "$log" | head -n1)
  [[ -z $port ]] || break
  sleep 0.1
done
[[ -n $port ]] || { cat "$log" >&2; echo "training start not listening within 120 s" >&2; exit 1; }

# GET path: reads the whole answer (an SSE scan ends with its done event, then the server closes).
get() {
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\nConnection: close\r\n\r\n' "$1" >&3
  timeout 30 cat <&3 >/dev/null || true
  exec 3<&-
}
get /actuator/health/readiness
get /
get '/api/scan?targets=127.0.0.1&ports=1-1024'
get '/api/scan?targets=127.0.0.1:22'
get /actuator/prometheus

kill -TERM "$pid"
wait "$pid" || true
pid=""
[[ -s $archive ]] || { cat "$log" >&2; echo "no archive written to $archive" >&2; exit 1; }
