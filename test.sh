#!/usr/bin/env bash
# The README's test command: installs what the tests need on a Debian machine, then runs
# `./mvnw -B verify`. Re-running it is quick: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")"

# apt-get needs root; use sudo when we are not root and it is there.
as_root=()
if [[ $(id -u) != 0 ]]; then
  if command -v sudo >/dev/null; then
    as_root=(sudo)
  fi
fi
apt_updated=0
apt_install() {
  if ! command -v apt-get >/dev/null; then
    echo "test.sh: not a Debian machine; install these yourself: $*" >&2
    return 1
  fi
  if (( ! apt_updated )); then
    # A fresh machine has empty package lists: install would fail without the update.
    "${as_root[@]}" apt-get update -q
    apt_updated=1
  fi
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

missing=()
# Browser tests (src/test/java/io/portflux/page) drive the Debian Chromium through its chromedriver.
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
[[ -x /usr/bin/chromedriver ]] || missing+=(chromium-driver)
# The Maven wrapper downloads Maven with curl; javac compiles the code.
command -v curl >/dev/null || missing+=(curl)
command -v javac >/dev/null || missing+=(openjdk-17-jdk-headless)
# The real-network probe tests build network namespaces joined by a veth, with iptables rules.
command -v ip >/dev/null || missing+=(iproute2)
command -v iptables >/dev/null || missing+=(iptables)
# The store tests run a private PostgreSQL cluster (initdb on a free port, as the postgres user).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
# The service detection tests (src/test/java/io/portflux/detect) run Debian's own servers as child processes
# on loopback ports of their choosing, and make TLS certificates with openssl.
[[ -x /usr/sbin/nginx ]] || missing+=(nginx)
[[ -x /usr/sbin/vsftpd ]] || missing+=(vsftpd)
[[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
[[ -x /usr/sbin/dnsmasq ]] || missing+=(dnsmasq-base)
[[ -x /usr/sbin/dovecot ]] || missing+=(dovecot-pop3d dovecot-imapd)
[[ -x /usr/sbin/smtpd ]] || missing+=(opensmtpd)
[[ -x /usr/sbin/inetutils-inetd ]] || missing+=(inetutils-inetd)
[[ -x /usr/sbin/telnetd ]] || missing+=(inetutils-telnetd)
command -v openssl >/dev/null || missing+=(openssl)
# The results tests (src/test/java/io/portflux/web/results) check the XML export with xmllint against the nmap.dtd that
# Debian's nmap ships, and read two exports with ndiff.
[[ -x /usr/bin/xmllint ]] || missing+=(libxml2-utils)
[[ -f /usr/share/nmap/nmap.dtd ]] || missing+=(nmap)
[[ -x /usr/bin/ndiff ]] || missing+=(ndiff)
if (( ${#missing[@]} )); then
  # policy-rc.d: no package may start (or leave running) a system service of its own: not PostgreSQL, and none
  # of the detection tests' servers on their real ports.
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null && "${as_root[@]}" chmod +x "$policy" && own_policy=1
  fi
  apt_install "${missing[@]}"
  if (( own_policy )); then "${as_root[@]}" rm -f "$policy"; fi
fi

# KustomizeTests render k8s/ with `kubectl kustomize` (kustomize's `labels:` needs kubectl 1.21+).
# Debian does not package kubectl everywhere; without it those tests are skipped, so say so.
if ! command -v kubectl >/dev/null; then
  apt_install kubectl || echo "WARNING: kubectl is not installable here; KustomizeTests will be skipped" >&2
fi

# The tests give Selenium the driver path; this makes sure Selenium Manager never downloads anything.
export SE_OFFLINE=true

exec ./mvnw -B verify "$@"
