#!/usr/bin/env bash
# PortFlux speed benchmark: a full-range (1-65535) and a 1-1024 connect scan of 127.0.0.1 through
# the SSE endpoint, timed with curl, next to nmap's connect scan of the same loopback.
#
# Everything runs inside a private network namespace that has only a loopback interface, so the
# only listeners are the ones this script starts. Targets are 127.0.0.1 in that namespace only.
# See bench/README.md for the knobs (JAR, JAVA_OPTS, QUERY, RUNS, WARMUP, RESULTS, ...).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Outer part: build the jar, make the namespace, run the inner part inside it, delete it.
# ---------------------------------------------------------------------------------------------
if [[ -z "${PFBENCH_INNER:-}" ]]; then
    if [[ -z "${JAR:-}" ]]; then
        JAR=$(ls "$root"/target/portflux-*.jar 2>/dev/null | grep -v -- '-plain\|sources\|javadoc' | head -n1 || true)
        if [[ -z "$JAR" ]]; then
            log "no jar under target/: building it (./mvnw -B -q package -DskipTests)"
            (cd "$root" && ./mvnw -B -q package -DskipTests)
            JAR=$(ls "$root"/target/portflux-*.jar | grep -v -- '-plain\|sources\|javadoc' | head -n1)
        fi
    fi
    [[ -f "$JAR" ]] || die "jar not found: $JAR"
    JAR=$(cd "$(dirname "$JAR")" && pwd)/$(basename "$JAR")
    export JAR

    ns="pfbench-$$"
    netns_ok=0
    cleanup_outer() {
        if [[ $netns_ok == 1 ]]; then
            ip netns delete "$ns" 2>/dev/null || true
        fi
    }
    trap cleanup_outer EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    if ip netns add "$ns" 2>/dev/null; then
        netns_ok=1
        ip netns exec "$ns" ip link set lo up
        log "network namespace $ns (loopback only)"
        PFBENCH_INNER=1 PFBENCH_NETNS="$ns" ip netns exec "$ns" "$0" "$@"
    else
        log "WARNING: 'ip netns add' is not permitted here; using the host's loopback."
        log "WARNING: other listeners on this machine will show up in the scans; open counts are"
        log "WARNING: then checked as 'at least the bench listeners', not exactly."
        PFBENCH_INNER=1 PFBENCH_NETNS="" "$0" "$@"
    fi
    exit $?
fi

# ---------------------------------------------------------------------------------------------
# Inner part: listeners, PortFlux, warm-up, timing. Runs in the namespace (or on the host).
# ---------------------------------------------------------------------------------------------
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-2}
# Extra query parameters for every PortFlux scan, e.g. QUERY='&concurrency=256'.
QUERY=${QUERY:-}
JAVA_OPTS=${JAVA_OPTS:--XX:+UseParallelGC -Xms512m -Xmx512m -Djava.net.preferIPv4Stack=true}
# Listeners: a few inside 1-1024 and a few above, so both timed ranges have something to find.
LISTEN_PORTS=${LISTEN_PORTS:-22 80 443 631 1000 3306 5432 8080 9090 50000}
RESULTS=${RESULTS:-$here/results-$(date +%Y-%m-%d).md}
READY_TIMEOUT=${READY_TIMEOUT:-90}
NMAP=${NMAP:-1}
# Extra PortFlux cases, timed after the main ones; a space-separated list of query suffixes,
# e.g. EXTRA='&report=all &concurrency=512'.
EXTRA=${EXTRA:-}
# INTERLEAVE=1 times with interleaved rounds in bash (case A, B, C, A, B, C, ...) instead of
# hyperfine's case-by-case runs; better for the ratio when other processes load the machine.
INTERLEAVE=${INTERLEAVE:-0}
# Unchecked 1-1024 scans run after the checked warm-ups, before any timing.
JIT_WARMUP=${JIT_WARMUP:-50}

work=$(mktemp -d /tmp/pfbench.XXXXXX)
pids=()
cleanup_inner() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup_inner EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

exact=1
[[ -n "${PFBENCH_NETNS:-}" ]] || exact=0

# One python process binds every listener port on 127.0.0.1 and accepts (and drops) whatever
# arrives, so accept queues never fill up over many scans.
python3 - "$work/listeners.ready" $LISTEN_PORTS > "$work/listeners.log" 2>&1 <<'PY' &
import selectors, socket, sys
ready, ports = sys.argv[1], [int(p) for p in sys.argv[2:]]
sel = selectors.DefaultSelector()
for p in ports:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", p))
    s.listen(4096)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
open(ready, "w").close()
while True:
    for key, _ in sel.select():
        try:
            c, _ = key.fileobj.accept()
            c.close()
        except OSError:
            pass
PY
pids+=($!)
for _ in $(seq 100); do
    [[ -f "$work/listeners.ready" ]] && break
    kill -0 "${pids[0]}" 2>/dev/null || { cat "$work/listeners.log" >&2; die "listeners failed to start"; }
    sleep 0.05
done
[[ -f "$work/listeners.ready" ]] || die "listeners did not come up"
log "listeners on 127.0.0.1: $LISTEN_PORTS"

# A free port for PortFlux itself; it listens on 127.0.0.1 in here too, so scans find it as open.
PF_PORT=${PF_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
for p in $LISTEN_PORTS; do [[ $p != "$PF_PORT" ]] || die "PF_PORT $PF_PORT is also a listener port"; done
(( PF_PORT > 1024 )) || die "PF_PORT must be above 1024 so the 1-1024 count stays fixed"

# shellcheck disable=SC2086
# The per-client quota (60 scans a minute by default) would refuse the warm-up and timed scans.
java $JAVA_OPTS -jar "$JAR" --server.port="$PF_PORT" --server.address=127.0.0.1 \
    --portflux.quotas.scans-per-minute=0 > "$work/portflux.log" 2>&1 &
pf_pid=$!
pids+=($pf_pid)
log "PortFlux pid $pf_pid on 127.0.0.1:$PF_PORT, JAVA_OPTS: $JAVA_OPTS"

base="http://127.0.0.1:$PF_PORT"
t0=$(date +%s%N)
deadline=$(( $(date +%s) + READY_TIMEOUT ))
until curl -sf "$base/actuator/health/readiness" > /dev/null 2>&1; do
    kill -0 "$pf_pid" 2>/dev/null || { tail -n 40 "$work/portflux.log" >&2; die "PortFlux exited during start-up"; }
    (( $(date +%s) < deadline )) || { tail -n 40 "$work/portflux.log" >&2; die "PortFlux not ready after ${READY_TIMEOUT}s"; }
    sleep 0.1
done
ready_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
log "ready after ${ready_ms} ms"

count_in() { # count of LISTEN_PORTS (plus PF_PORT) within [lo, hi]
    local lo=$1 hi=$2 n=0 p
    for p in $LISTEN_PORTS $PF_PORT; do (( p >= lo && p <= hi )) && n=$((n + 1)); done
    echo "$n"
}
expect_full=$(count_in 1 65535)
expect_1024=$(count_in 1 1024)

# Checks an SSE transcript: the last event is `done` with status completed, scanned == total,
# and the expected number of open ports (exactly, in the namespace; at least, on the host).
check_sse() { # file expected-open label
    python3 - "$1" "$2" "$exact" "$3" <<'PY'
import json, sys
path, expected, exact, label = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
events, name, data = [], None, []
for line in open(path, encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("event:"):
        name = line[6:].strip()
    elif line.startswith("data:"):
        data.append(line[5:])
    elif line == "" and name is not None:
        events.append((name, "\n".join(data)))
        name, data = None, []
if name is not None:
    events.append((name, "\n".join(data)))
if not events or events[-1][0] != "done":
    sys.exit(f"{label}: stream did not end with a done event (last: {events[-1][0] if events else 'none'})")
done = json.loads(events[-1][1])
if done.get("status") != "completed":
    sys.exit(f"{label}: done status is {done.get('status')!r}: {done.get('message')}")
if done.get("scanned") != done.get("total"):
    sys.exit(f"{label}: scanned {done.get('scanned')} != total {done.get('total')}")
opened = len(done.get("openPorts", []))
if opened != done.get("open"):
    sys.exit(f"{label}: openPorts has {opened} entries but open = {done.get('open')}")
if (exact and opened != expected) or (not exact and opened < expected):
    sys.exit(f"{label}: {opened} open ports, expected {'' if exact else 'at least '}{expected}")
print(f"{label}: ok, completed, {done['total']} probes, {opened} open, "
      f"closed {done['closed']}, filtered {done['filtered']}, errors {done['errors']}, "
      f"server elapsedMs {done['elapsedMs']}")
PY
}

check_nmap() { # file expected-open
    local n
    n=$(grep -cE '^[0-9]+/tcp +open ' "$1" || true)
    if [[ $exact == 1 && $n != "$2" ]] || (( n < $2 )); then
        cat "$1" >&2
        die "nmap: $n open ports, expected $2"
    fi
    log "nmap: ok, $n open"
}

# Runs one validated scan (curl output kept and checked). Used for warm-up and before/after timing.
scan_checked() { # ports expected label
    curl -sN --max-time 120 "$base/api/scan?targets=127.0.0.1&ports=$1$QUERY" > "$work/scan.out" \
        || die "$3: curl failed"
    check_sse "$work/scan.out" "$2" "$3" >&2 || die "$3: broken scan, not timing it"
}

full_url="$base/api/scan?targets=127.0.0.1&ports=1-65535$QUERY"
small_url="$base/api/scan?targets=127.0.0.1&ports=1-1024$QUERY"
nmap_cmd="nmap -sT -Pn -n -p- --min-rate 10000 127.0.0.1"

log "warm-up: 2 checked full scans, 2 checked 1-1024 scans"
scan_checked 1-65535 "$expect_full" "warm-up full 1"
scan_checked 1-65535 "$expect_full" "warm-up full 2"
scan_checked 1-1024 "$expect_1024" "warm-up 1-1024 1"
scan_checked 1-1024 "$expect_1024" "warm-up 1-1024 2"
# A service that has been up a while has its request path compiled; the checked warm-ups above are
# too few for the JIT to get there on the short 1-1024 scans.
log "JIT warm-up: $JIT_WARMUP unchecked 1-1024 scans and 3 full scans"
for ((i = 0; i < JIT_WARMUP; i++)); do
    curl -sN --max-time 60 "$base/api/scan?targets=127.0.0.1&ports=1-1024$QUERY" > /dev/null || die "JIT warm-up failed"
done
for i in 1 2 3; do
    curl -sN --max-time 60 "$base/api/scan?targets=127.0.0.1&ports=1-65535$QUERY" > /dev/null || die "JIT warm-up failed"
done

have_nmap=0
if [[ $NMAP == 1 ]] && command -v nmap > /dev/null; then
    have_nmap=1
    $nmap_cmd > "$work/nmap.out" 2>&1 || { cat "$work/nmap.out" >&2; die "nmap failed"; }
    check_nmap "$work/nmap.out" "$expect_full"
else
    log "nmap not installed (apt-get install -y nmap): timing PortFlux only"
fi

median_of() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# time_cases label::command ...; prints "label median_seconds" lines.
time_cases() {
    local -a labels=() cmds=()
    local pair
    for pair in "$@"; do labels+=("${pair%%::*}"); cmds+=("${pair#*::}"); done
    if [[ $INTERLEAVE != 1 ]] && command -v hyperfine > /dev/null; then
        local -a args=() i
        for i in "${!cmds[@]}"; do args+=(-n "${labels[$i]}" "${cmds[$i]}"); done
        hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$work/hf.json" "${args[@]}" >&2
        python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["command"], "%.4f" % r["median"], "%.4f" % min(r["times"]), "%.4f" % max(r["times"]))
' "$work/hf.json"
    else
        # Interleaved rounds: each round runs every case once, so a burst of load from other
        # processes hits all cases alike and the ratio stays meaningful on a shared machine.
        local i r s e
        for ((r = 0; r < WARMUP; r++)); do
            for i in "${!cmds[@]}"; do ${cmds[$i]} > /dev/null 2>&1; done
        done
        for i in "${!cmds[@]}"; do : > "$work/times.$i"; done
        for ((r = 0; r < RUNS; r++)); do
            for i in "${!cmds[@]}"; do
                s=$(date +%s%N); ${cmds[$i]} > /dev/null 2>&1; e=$(date +%s%N)
                echo "$(( e - s ))" >> "$work/times.$i"
            done
        done
        for i in "${!cmds[@]}"; do
            printf '%s %s %s %s\n' "${labels[$i]}" \
                "$(median_of < "$work/times.$i" | awk '{printf "%.4f", $1/1e9}')" \
                "$(sort -n "$work/times.$i" | head -n1 | awk '{printf "%.4f", $1/1e9}')" \
                "$(sort -n "$work/times.$i" | tail -n1 | awk '{printf "%.4f", $1/1e9}')"
        done
    fi
}

cases=("portflux-full::curl -sN $full_url")
if [[ $have_nmap == 1 ]]; then cases+=("nmap-full::$nmap_cmd"); fi
cases+=("portflux-1-1024::curl -sN $small_url")
for q in $EXTRA; do
    scan_checked "1-65535${q}" "$expect_full" "extra $q"
    cases+=("portflux-full${q}::curl -sN $full_url$q")
done

log "timing: $RUNS runs after $WARMUP warm-up runs each"
time_cases "${cases[@]}" > "$work/medians"

# A benchmark must not time a broken scan: check once more after the timed runs.
scan_checked 1-65535 "$expect_full" "after timing, full"
scan_checked 1-1024 "$expect_1024" "after timing, 1-1024"
for q in $EXTRA; do scan_checked "1-65535${q}" "$expect_full" "after timing $q"; done
if [[ $have_nmap == 1 ]]; then
    $nmap_cmd > "$work/nmap.out" 2>&1 || die "nmap failed"
    check_nmap "$work/nmap.out" "$expect_full"
fi

med() { awk -v k="$1" '$1 == k {print $2}' "$work/medians"; }
pf_full=$(med portflux-full)
pf_small=$(med portflux-1-1024)
nmap_full=$(med nmap-full)
ratio=""
if [[ -n "$nmap_full" ]]; then ratio=$(awk -v a="$pf_full" -v b="$nmap_full" 'BEGIN {printf "%.2f", a / b}'); fi
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pf_pid/status" 2>/dev/null || echo "?")

ms() { awk -v s="$1" 'BEGIN {printf "%.0f ms", s * 1000}'; }
table=$(
    echo "| case | median | min | max |"
    echo "|---|---|---|---|"
    while read -r label m lo hi; do
        echo "| $label | $(ms "$m") | $(ms "$lo") | $(ms "$hi") |"
    done < "$work/medians"
    echo
    echo "| summary | value |"
    echo "|---|---|"
    echo "| PortFlux full range (1-65535) median | $(ms "$pf_full") |"
    if [[ -n "$nmap_full" ]]; then
        echo "| nmap -sT full range median | $(ms "$nmap_full") |"
        echo "| ratio PortFlux / nmap | $ratio |"
    else
        echo "| nmap | not installed |"
    fi
    echo "| PortFlux 1-1024 median | $(ms "$pf_small") |"
    echo "| PortFlux ready after start | ${ready_ms} ms |"
    echo "| PortFlux peak RSS (VmHWM) | $(( ${rss_kb:-0} / 1024 )) MB |"
)

echo
echo "$table"
echo

{
    echo "# PortFlux benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo
    echo "- commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet 2>/dev/null || echo ' (dirty)')"
    echo "- jar: $(basename "$JAR")"
    echo "- machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- java: $(java -version 2>&1 | head -n1)"
    echo "- JAVA_OPTS: \`$JAVA_OPTS\`"
    echo "- extra query: \`${QUERY:-none}\`"
    echo "- namespace: ${PFBENCH_NETNS:-none (host loopback: other listeners may be counted)}"
    echo "- listeners: $LISTEN_PORTS and PortFlux itself on $PF_PORT; expected open: $expect_full (full), $expect_1024 (1-1024)"
    echo "- timing: $( [[ $INTERLEAVE != 1 ]] && command -v hyperfine > /dev/null && hyperfine --version || echo 'bash loop, interleaved rounds'), $RUNS runs after $WARMUP warm-up runs, after 2 checked full and 2 checked 1-1024 warm-up scans, then $JIT_WARMUP 1-1024 and 3 full JIT warm-up scans"
    echo "- PortFlux: \`curl -sN '$full_url'\`"
    if [[ -n "$nmap_full" ]]; then echo "- nmap: \`$nmap_cmd\` ($(nmap --version | head -n1))"; fi
    echo
    echo "$table"
} > "$RESULTS"
log "results written to $RESULTS"
