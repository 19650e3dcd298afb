#!/usr/bin/env bash
# The README's run command: builds the jar when the sources are newer, prepares its class-data
# archive once, then runs it in the foreground (Ctrl-C or SIGTERM stops it cleanly).
#
#   ./run.sh                                      # http://localhost:8080, scans loopback only
#   ./run.sh --server.port=9090 --portflux.targets.allow=127.0.0.0/8,::1/128
#   JAVA_OPTS=-XX:MaxRAM=256m ./run.sh            # JVM flags
#
# Arguments go to Spring Boot (any property as --name=value); environment variables such as
# SERVER_PORT or PORTFLUX_TARGETS_ALLOW work too.
set -euo pipefail
cd "$(dirname "$0")"
. bin/app.sh
pf_prepare
# exec: the JVM takes this shell's place, so Ctrl-C and SIGTERM reach it directly and it shuts
# down gracefully with no wrapper (Maven's spring-boot:run reported exit 143 as a build failure).
# shellcheck disable=SC2086
exec "$PF_JAVA" ${JAVA_OPTS:-} "${PF_JAVA_FLAGS[@]}" -jar "$PF_APP_JAR" "$@"
