#!/usr/bin/env bash
# Service detection on nine real Debian servers, next to `nmap -sV` on the same servers.
#
# Builds a private network namespace with only a loopback interface and starts, inside it, on
# non-standard ports: OpenSSH (2222), vsftpd (2121), OpenSMTPD (2525), Dovecot IMAP (1143) and POP3
# (1110), dnsmasq (5300), nginx over HTTP (8080) and TLS (8443), and inetutils telnetd (2323). Then:
#   1. PortFlux (detect=on) scans those nine ports: the time from the scan's start to each service
#      event, and to done, with what it named;
#   2. nmap -sV scans the same nine ports: wall time and what it named;
#   3. a full-range scan (1-65535) with detect=on against detect=off (hyperfine, RUNS runs each), on the bare
#      loopback and then with an iptables rule in the namespace that drops SYNs to 1,000 ports.
# Nothing outside the namespace's 127.0.0.1 is ever scanned. Needs root, iproute2, python3, curl,
# openssl, nmap, hyperfine and the nine servers (test.sh installs them). Every process it started is
# stopped by PID and the namespace is deleted on exit.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
log() { printf '[detect] %s\n' "$*" >&2; }
die() { printf '[detect] ERROR: %s\n' "$*" >&2; exit 1; }

RUNS=${RUNS:-5}
JAVA_OPTS=${JAVA_OPTS:--XX:+UseParallelGC -Xms512m -Xmx512m -Djava.net.preferIPv4Stack=true}
RESULTS=${RESULTS:-$here/results-detect-$(date +%Y-%m-%d).md}
JAR=${JAR:-$(ls "$root"/target/portflux-*.jar 2>/dev/null | head -n1 || true)}
[[ -f "$JAR" ]] || { (cd "$root" && ./mvnw -B -q package -DskipTests); JAR=$(ls "$root"/target/portflux-*.jar | head -n1); }
for tool in ip iptables python3 curl openssl nmap hyperfine ssh-keygen; do command -v $tool > /dev/null || die "$tool is not installed"; done
for daemon in sshd vsftpd smtpd dovecot dnsmasq nginx inetutils-inetd telnetd; do
  [[ -x /usr/sbin/$daemon ]] || die "/usr/sbin/$daemon is missing (test.sh installs the servers)"
done

NS="pfdet-$$"
work=$(mktemp -d /tmp/pfdet.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns delete "$NS" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$NS"
ip -n "$NS" link set lo up
in_ns() { ip netns exec "$NS" "$@"; }
# Not through in_ns: a backgrounded function is a subshell, and its PID is not the server's. ip netns exec
# execs the command, so $! is the server itself.
start() { ip netns exec "$NS" "$@" > "$work/$(basename "$1").out" 2>&1 & pids+=($!); }

SSH=2222 FTP=2121 SMTP=2525 IMAP=1143 POP3=1110 DNS=5300 HTTP=8080 HTTPS=8443 TELNET=2323
PORTS="$SSH,$FTP,$SMTP,$IMAP,$POP3,$DNS,$HTTP,$HTTPS,$TELNET"

# OpenSSH
ssh-keygen -q -t ed25519 -N '' -f "$work/host_ed25519"
mkdir -p /run/sshd
printf 'ListenAddress 127.0.0.1\nPort %s\nHostKey %s\nPidFile %s\nUsePAM no\n' "$SSH" "$work/host_ed25519" "$work/sshd.pid" > "$work/sshd_config"
start /usr/sbin/sshd -D -e -f "$work/sshd_config"
# vsftpd (it refuses to start with no login kind enabled; nothing ever logs in)
mkdir -m 555 "$work/empty"
printf 'listen=YES\nlisten_ipv6=NO\nlisten_address=127.0.0.1\nlisten_port=%s\nbackground=NO\nanonymous_enable=NO\nlocal_enable=YES\nsecure_chroot_dir=%s\nseccomp_sandbox=NO\nxferlog_enable=NO\n' "$FTP" "$work/empty" > "$work/vsftpd.conf"
start /usr/sbin/vsftpd "$work/vsftpd.conf"
# OpenSMTPD
printf 'listen on 127.0.0.1 port %s\naction "local" mbox\nmatch from local for local action "local"\n' "$SMTP" > "$work/smtpd.conf"
start /usr/sbin/smtpd -d -f "$work/smtpd.conf"
# Dovecot IMAP and POP3
mkdir -p "$work/dovecot"; : > "$work/dovecot/passwd"
cat > "$work/dovecot/dovecot.conf" <<CONF
base_dir = $work/dovecot/run
state_dir = $work/dovecot/state
log_path = $work/dovecot/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = no
mail_location = maildir:$work/dovecot/mail/%u
passdb {
  driver = passwd-file
  args = $work/dovecot/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$work/dovecot/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $POP3
  }
  inet_listener pop3s {
    port = 0
  }
}
CONF
start /usr/sbin/dovecot -F -c "$work/dovecot/dovecot.conf"
# dnsmasq (DNS over TCP; version.bind)
start /usr/sbin/dnsmasq --keep-in-foreground --conf-file=/dev/null --port="$DNS" --listen-address=127.0.0.1 \
  --bind-interfaces --no-resolv --no-hosts --pid-file="$work/dnsmasq.pid" --user=root --log-facility=-
# nginx over HTTP and TLS (a self-signed certificate)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 \
  -subj /CN=bench.test -addext subjectAltName=DNS:bench.test 2> /dev/null
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $work/nginx-body;
  server { listen 127.0.0.1:$HTTP; location / { return 200 'ok'; } }
  server { listen 127.0.0.1:$HTTPS ssl; ssl_certificate $work/cert.pem; ssl_certificate_key $work/key.pem; location / { return 200 'ok'; } }
}
CONF
start /usr/sbin/nginx -p "$work" -e "$work/nginx-error.log" -c "$work/nginx.conf" -g 'daemon off;'
# inetutils telnetd under inetutils-inetd
echo "127.0.0.1:$TELNET stream tcp nowait root /usr/sbin/telnetd telnetd" > "$work/inetd.conf"
start /usr/sbin/inetutils-inetd -d --pidfile="$work/inetd.pid" "$work/inetd.conf"

APP_PORT=8099
# shellcheck disable=SC2086
ip netns exec "$NS" java $JAVA_OPTS -jar "$JAR" --server.address=127.0.0.1 --server.port=$APP_PORT \
  --portflux.quotas.scans-per-minute=0 --portflux.store.path="$work/data" > "$work/app.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
  in_ns curl -fs -o /dev/null "http://127.0.0.1:$APP_PORT/actuator/health/readiness" && break
  sleep 0.5
done
in_ns curl -fs -o /dev/null "http://127.0.0.1:$APP_PORT/actuator/health/readiness" || { cat "$work/app.log" >&2; die "PortFlux not ready"; }
for p in ${PORTS//,/ }; do
  in_ns python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$p),5).close()" \
    || die "nothing listens on $p (see $work/*.out)"
done

# PortFlux: seconds from the request to each service event and to done, and what was named.
cat > "$work/timed.py" <<'PY'
import json, subprocess, sys, time
url = sys.argv[1]
t0 = time.monotonic()
proc = subprocess.Popen(["curl", "-sN", url], stdout=subprocess.PIPE, text=True)
event, rows, done_at = None, [], None
for line in proc.stdout:
    line = line.rstrip("\n")
    if line.startswith("event:"):
        event = line[6:].strip()
    elif line.startswith("data:") and event == "service":
        d = json.loads(line[5:])
        rows.append((time.monotonic() - t0, d))
    elif line.startswith("data:") and event == "done":
        done_at = time.monotonic() - t0
        status = json.loads(line[5:])["status"]
proc.wait()
for t, d in sorted(rows, key=lambda r: r[1]["port"]):
    tls = (" " + d["tls"]["version"]) if d.get("tls") else ""
    print(f'| {d["port"]} | {d.get("service")} | {d.get("product") or ""} {d.get("version") or ""} |{tls} {d["method"]} | {t:.3f} |')
print(f"| done | {status} | | | {done_at:.3f} |")
PY
url="http://127.0.0.1:$APP_PORT/api/scan?targets=127.0.0.1&ports=$PORTS&detect=on"
in_ns python3 "$work/timed.py" "$url" > /dev/null   # warm-up
pf_table=$(in_ns python3 "$work/timed.py" "$url")

# nmap -sV on the same ports.
t0=$(date +%s%N)
in_ns nmap -sV -Pn -n -p "$PORTS" 127.0.0.1 -oX "$work/nmap.xml" > /dev/null
t1=$(date +%s%N)
nmap_s=$(python3 -c "print(f'{($t1 - $t0) / 1e9:.1f}')")
nmap_table=$(python3 - "$work/nmap.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
for port in ET.parse(sys.argv[1]).getroot().iter("port"):
    s = port.find("service")
    name = (s.get("tunnel") + "/" if s is not None and s.get("tunnel") else "") + (s.get("name") if s is not None else "?")
    prod = " ".join(x for x in [s.get("product") if s is not None else None, s.get("version") if s is not None else None] if x)
    print(f'| {port.get("portid")} | {name} | {prod} |')
PY
)

# One full-range scan with detection on, event by event: when each service was named, and done.
full_table=$(in_ns python3 "$work/timed.py" "http://127.0.0.1:$APP_PORT/api/scan?targets=127.0.0.1&ports=all&detect=on")

# Full range, detection on against off (the nine servers plus PortFlux's own port are open).
hyperfine -N --warmup 2 --runs "$RUNS" --export-markdown "$work/full.md" \
  "ip netns exec $NS curl -sN http://127.0.0.1:$APP_PORT/api/scan?targets=127.0.0.1&ports=all&detect=off" \
  "ip netns exec $NS curl -sN http://127.0.0.1:$APP_PORT/api/scan?targets=127.0.0.1&ports=all&detect=on" > /dev/null

# The same with a firewall, as on most real paths: SYNs to 1,000 ports are dropped inside the namespace, so
# the scan waits out their timeout (1 s) and the open ports' conversations overlap it.
in_ns iptables -A INPUT -p tcp --syn --dport 60000:60999 -j DROP
hyperfine -N --warmup 1 --runs "$RUNS" --export-markdown "$work/firewalled.md" \
  "ip netns exec $NS curl -sN http://127.0.0.1:$APP_PORT/api/scan?targets=127.0.0.1&ports=all&timeout=1s&detect=off" \
  "ip netns exec $NS curl -sN http://127.0.0.1:$APP_PORT/api/scan?targets=127.0.0.1&ports=all&timeout=1s&detect=on" > /dev/null

{
  echo "# Service detection: PortFlux next to nmap -sV ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "Commit $(git -C "$root" rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)."
  echo "Nine Debian servers on non-standard ports of 127.0.0.1 in a private network namespace."
  echo
  echo "## PortFlux (detect=on): seconds from the request to each service event"
  echo
  echo "| port | service | product version | tls, method | s |"
  echo "|---|---|---|---|---|"
  echo "$pf_table"
  echo
  echo "## nmap -sV -Pn -n on the same ports: ${nmap_s} s"
  echo
  echo "| port | service | product version |"
  echo "|---|---|---|"
  echo "$nmap_table"
  echo
  echo "## Full range (1-65535), detect=off against detect=on"
  echo
  echo "One scan with detect=on, seconds from the request to each service event:"
  echo
  echo "| port | service | product version | tls, method | s |"
  echo "|---|---|---|---|---|"
  echo "$full_table"
  echo
  sed -e "s#ip netns exec $NS ##" "$work/full.md"
  echo
  echo "## Full range with SYNs to ports 60000-60999 dropped (timeout=1s), detect=off against detect=on"
  echo
  sed -e "s#ip netns exec $NS ##" "$work/firewalled.md"
} | tee "$RESULTS"
log "written to $RESULTS"
