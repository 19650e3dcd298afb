# Sourced by run.sh and the bench scripts: builds the runnable form of PortFlux that starts fast.
#
# The jar is extracted (java -Djarmode=tools ... extract), so that classes load from plain jars,
# and a training run (bin/train.sh: readiness, the page, a loopback scan) records a class-data-
# sharing archive of every class loaded up to and through the first requests. Together with Spring AOT's pre-computed bean
# definitions (the process-aot goal in pom.xml; -Dspring.aot.enabled=true) this halves the CPU a
# start needs before it is ready (see "Footprint" in README.md).

PF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PF_JAR="$PF_ROOT/target/portflux-0.1.0-SNAPSHOT.jar"
PF_APP_DIR="$PF_ROOT/target/app"
PF_APP_JAR="$PF_APP_DIR/portflux-0.1.0-SNAPSHOT.jar"
# The java that runs PortFlux: $JAVA_HOME/bin/java when JAVA_HOME is set (as ./mvnw does), else java on the PATH.
PF_JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

# The feature release of $PF_JAVA (17, 21, 25, ...), from the release file of its JDK, else from -version.
pf_java_release() {
  local bin home release=""
  bin=$(command -v "$PF_JAVA") || { echo "no java at $PF_JAVA (set JAVA_HOME, or put Java 17 or later on the PATH)" >&2; return 1; }
  home=$(dirname "$(dirname "$(readlink -f "$bin")")")
  [[ ! -f $home/release ]] || release=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
  [[ -n $release ]] || release=$("$PF_JAVA" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
  echo "${release:-0}"
}
PF_JAVA_RELEASE=$(pf_java_release)

# ArchiveRelocationMode=0: map the archive at the address it was made for. JDK 17.0.15 moves it to a random
# address by default, and rewriting its pointers took 0.28 s of every start and left its 64 MiB of pages
# dirty (private memory, where mapped file pages can be dropped and read again under a memory limit).
# CompileThresholdScaling=10: a method is compiled after ten times the usual number of calls. On two cores the
# compilers took 4 s of CPU before ready, beside a main thread that builds every bean once; with this they take
# under 1 s, and ready comes about 0.5 s sooner (bench/ready.sh). The scan's hot code still reaches C2 within the
# first full-range scan; the first report=all scan after a start takes about 1 s longer (README, "Footprint").
if (( PF_JAVA_RELEASE >= 25 )); then
  # Java 25 and later: the JDK's AOT cache (JEP 483, 514), recorded by the same training run. Besides the classes it
  # keeps them linked, and the lambdas and string concatenations resolved, which a class-data archive cannot.
  # -Xlog:aot=off,cds=off: a stale cache is quietly ignored. Netty loads its native transports with
  # System.loadLibrary, which Java 24 and later warn about unless native access is enabled.
  PF_ARCHIVE="$PF_APP_DIR/portflux-java$PF_JAVA_RELEASE.aot"
  PF_JAVA_FLAGS=(-Dspring.aot.enabled=true "-XX:AOTCache=$PF_ARCHIVE" -Xlog:aot=off -Xlog:cds=off
    --enable-native-access=ALL-UNNAMED -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0
    -XX:CompileThresholdScaling=10)
else
  # -Xlog:cds=off: a stale archive is then quietly ignored instead of warned about on every start.
  PF_ARCHIVE="$PF_APP_DIR/portflux.jsa"
  PF_JAVA_FLAGS=(-Dspring.aot.enabled=true "-XX:SharedArchiveFile=$PF_ARCHIVE" -Xlog:cds=off
    -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 -XX:CompileThresholdScaling=10)
fi

pf_log() { printf '[portflux] %s\n' "$*" >&2; }

# Builds the jar when it is missing or older than the sources, then the extracted copy and its
# archive when they are older than the jar.
pf_prepare() {
  if [[ ! -f $PF_JAR ]] || [[ -n $(find "$PF_ROOT/src/main" "$PF_ROOT/pom.xml" -newer "$PF_JAR" -print -quit) ]]; then
    pf_log "building the jar (./mvnw -B -q package -DskipTests)"
    (cd "$PF_ROOT" && ./mvnw -B -q package -DskipTests)
  fi
  if [[ ! -f $PF_APP_JAR || $PF_JAR -nt $PF_APP_JAR ]]; then
    rm -rf "$PF_APP_DIR"
    "$PF_JAVA" -Djarmode=tools -jar "$PF_JAR" extract --destination "$PF_APP_DIR" >/dev/null
    touch "$PF_APP_JAR"
  fi
  if [[ ! -f $PF_ARCHIVE || $PF_APP_JAR -nt $PF_ARCHIVE ]]; then
    pf_log "recording ${PF_ARCHIVE##*/} for fast starts (a training start that serves a few requests, then stops)"
    PF_JAVA=$PF_JAVA "$PF_ROOT/bin/train.sh" "$PF_APP_JAR" "$PF_ARCHIVE" -Dspring.aot.enabled=true \
      || { pf_log "training run failed"; return 1; }
  fi
}
