#!/usr/bin/env bash
# PortFlux on a real TCP/IP path: a 5,100-port connect scan across a veth pair into a firewalled
# network namespace, timed next to `nmap -sT --max-retries 1` on the same path, with both checked.
#
# Builds two namespaces of its own (scanner 198.18.0.1, target 198.18.0.2, from the benchmarking
# range 198.18.0.0/15) joined by one veth and nothing else; iptables in the target answers port groups
# with DROP, a TCP reset and the ICMP errors a firewall sends, as RealNetworkTests does. Nothing else
# is ever scanned. Needs root, iproute2, iptables, python3, curl, hyperfine and nmap.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
log() { printf '[real-network] %s\n' "$*" >&2; }
die() { printf '[real-network] ERROR: %s\n' "$*" >&2; exit 1; }

RUNS=${RUNS:-5}
# Checked scans before timing: every port's state and reason, on every one of them.
CHECKS=${CHECKS:-1}
WARMUP=${WARMUP:-1}
TRANSPORT=${TRANSPORT:-auto}
JAVA_OPTS=${JAVA_OPTS:--XX:+UseParallelGC -Xms512m -Xmx512m -Djava.net.preferIPv4Stack=true}
RESULTS=${RESULTS:-$here/results-real-network-$(date +%Y-%m-%d).md}
JAR=${JAR:-$(ls "$root"/target/portflux-*.jar 2>/dev/null | head -n1 || true)}
[[ -f "$JAR" ]] || { (cd "$root" && ./mvnw -B -q package -DskipTests); JAR=$(ls "$root"/target/portflux-*.jar | head -n1); }
for tool in ip iptables python3 curl hyperfine nmap; do command -v $tool > /dev/null || die "$tool is not installed"; done

S="pfrn-s-$$"; T="pfrn-t-$$"
work=$(mktemp -d /tmp/pfrn.XXXXXX)
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    ip netns delete "$S" 2>/dev/null || true
    ip netns delete "$T" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$S"; ip netns add "$T"
ip link add "pfs$$" netns "$S" type veth peer name "pft$$" netns "$T"
ip -n "$S" addr add 198.18.0.1/24 dev "pfs$$"; ip -n "$T" addr add 198.18.0.2/24 dev "pft$$"
for pair in "$S pfs$$" "$S lo" "$T pft$$" "$T lo"; do ip -n ${pair% *} link set ${pair#* } up; done
ip netns exec "$T" sysctl -q -w net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=1000000 net.ipv4.icmp_msgs_burst=1000000
rule() { ip netns exec "$T" iptables -A INPUT -p tcp --dport "$1" -j "${@:2}"; }
rule 2000:2999 DROP
rule 3000:3999 REJECT --reject-with tcp-reset
rule 4000:4199 REJECT --reject-with icmp-port-unreachable
rule 4200:4399 REJECT --reject-with icmp-host-prohibited
rule 4400:4599 REJECT --reject-with icmp-admin-prohibited
rule 4600:4799 REJECT --reject-with icmp-net-unreachable
rule 4800:4899 REJECT --reject-with icmp-host-unreachable
rule 4900:4949 REJECT --reject-with icmp-net-prohibited
rule 4950:4999 REJECT --reject-with icmp-proto-unreachable
log "namespaces $S and $T, veth, iptables groups"

ip netns exec "$T" python3 - "$work/ready" > "$work/listeners.log" 2>&1 <<'PY' &
import selectors, socket, sys
sel = selectors.DefaultSelector()
for p in (22, 80, 443, 1234, 5050):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("198.18.0.2", p)); s.listen(4096); s.setblocking(False); sel.register(s, selectors.EVENT_READ)
open(sys.argv[1], "w").close()
while True:
    for key, _ in sel.select():
        try: key.fileobj.accept()[0].close()
        except OSError: pass
PY
pids+=($!)
# shellcheck disable=SC2086
ip netns exec "$S" java $JAVA_OPTS -jar "$JAR" --server.address=127.0.0.1 --server.port=8080 \
    --portflux.targets.allow=198.18.0.2/32 --portflux.quotas.scans-per-minute=0 \
    --portflux.probe.transport="$TRANSPORT" > "$work/portflux.log" 2>&1 &
pids+=($!)
for _ in $(seq 600); do
    [[ -f "$work/ready" ]] && ip netns exec "$S" curl -sf http://127.0.0.1:8080/actuator/health/readiness > /dev/null && break
    sleep 0.1
done
ip netns exec "$S" curl -sf http://127.0.0.1:8080/actuator/health/readiness > /dev/null || die "PortFlux not ready"
transport=$(grep -o 'Probe loops: .*' "$work/portflux.log")
log "$transport"

url="http://127.0.0.1:8080/api/scan?targets=198.18.0.2&ports=1-5100&report=all&timeout=1s&retries=1&concurrency=4096"
pf_cmd="ip netns exec $S curl -sN -H Accept:application/x-ndjson $url"
nmap_cmd="ip netns exec $S nmap -sT -Pn -n --max-retries 1 -p1-5100 198.18.0.2"

check_portflux() { # every port's state and reason, as RealNetworkTests asserts
    $pf_cmd > "$work/pf.out"
    python3 - "$work/pf.out" <<'PY'
import json, sys
groups = [(2000, 2999, "filtered no-response"), (3000, 3999, "closed conn-refused"), (4000, 4199, "closed conn-refused"),
          (4200, 4399, "filtered host-unreach"), (4400, 4599, "filtered host-unreach"), (4600, 4799, "filtered net-unreach"),
          (4800, 4899, "filtered host-unreach"), (4900, 4949, "filtered net-unreach"), (4950, 4999, "filtered proto-unreach")]
def want(p):
    if p in (22, 80, 443, 1234, 5050): return "open conn-accept"
    return next((g[2] for g in groups if g[0] <= p <= g[1]), "closed conn-refused")
got = {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event"] == "port": got[e["data"]["port"]] = e["data"]["state"] + " " + e["data"]["reason"]
wrong = [p for p in range(1, 5101) if got.get(p) != want(p)]
if wrong: sys.exit(f"PortFlux: {len(wrong)} ports wrong, e.g. {[(p, got.get(p)) for p in wrong[:5]]}")
print("PortFlux: all 5100 ports right")
PY
}
check_nmap() {
    $nmap_cmd > "$work/nmap.out"
    open=$(grep -cE '^[0-9]+/tcp +open ' "$work/nmap.out" || true)
    [[ $open == 5 ]] || { cat "$work/nmap.out" >&2; die "nmap found $open open ports, not 5"; }
    log "nmap: 5 open, $(grep -E 'Not shown|ports' "$work/nmap.out" | head -n2 | tr '\n' ' ')"
}

for ((i = 0; i < CHECKS; i++)); do check_portflux >&2; done
check_nmap
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$work/hf.json" \
    -n portflux "$pf_cmd" -n "nmap -sT --max-retries 1" "$nmap_cmd" >&2
check_portflux >&2; check_nmap

table=$(python3 - "$work/hf.json" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
print("| case | median | min | max |\n|---|---|---|---|")
for r in rs:
    print(f"| {r['command']} | {r['median']*1000:.0f} ms | {min(r['times'])*1000:.0f} ms | {max(r['times'])*1000:.0f} ms |")
print(f"\nratio PortFlux / nmap (medians): {rs[0]['median'] / rs[1]['median']:.2f}")
PY
)
echo "$table"
{
    echo "# PortFlux on a real network path, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo
    echo "- commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "- machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- $transport; JAVA_OPTS: \`$JAVA_OPTS\`"
    echo "- rig: two netns, veth, iptables groups as in RealNetworkTests, ICMP rate limits lifted; 5 listeners"
    echo "- PortFlux: \`curl -sN '$url'\` (every port checked before and after timing)"
    echo "- nmap: \`nmap -sT -Pn -n --max-retries 1 -p1-5100 198.18.0.2\` ($(nmap --version | head -n1); 5 open checked)"
    echo "- hyperfine: $RUNS runs after $WARMUP warm-up"
    echo
    echo "$table"
} > "$RESULTS"
log "results written to $RESULTS"
