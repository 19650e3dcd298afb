# syntax=docker/dockerfile:1
# PortFlux image: built with Maven on a JDK, run on a JRE as a fixed non-root user.
# Not built on the project machines (no container engine there); see "Running on Kubernetes" in README.md.
#
#   docker build -t portflux/portflux:0.1.0 .
#   docker run --rm -p 8080:8080 --read-only --tmpfs /tmp --cap-drop ALL \
#     --security-opt no-new-privileges portflux/portflux:0.1.0

ARG JDK_IMAGE=eclipse-temurin:17-jdk
ARG JRE_IMAGE=eclipse-temurin:17-jre

FROM ${JDK_IMAGE} AS build
WORKDIR /workspace
# Dependencies first, so that a source change reuses the cached dependency layer.
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q dependency:go-offline
COPY src src
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -DskipTests package \
    && cp target/portflux-*.jar portflux.jar \
    && java -Djarmode=tools -jar portflux.jar extract --layers --destination extracted

FROM ${JRE_IMAGE}
ARG UID=10001
ARG GID=10001
RUN groupadd --system --gid "${GID}" portflux \
    && useradd --system --uid "${UID}" --gid "${GID}" --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin portflux
WORKDIR /app
# Layers from least to most often changed. Files stay owned by root: the app cannot rewrite them.
COPY --from=build /workspace/extracted/dependencies/ ./
COPY --from=build /workspace/extracted/spring-boot-loader/ ./
COPY --from=build /workspace/extracted/snapshot-dependencies/ ./
COPY --from=build /workspace/extracted/application/ ./
# Memory flags measured to fit a 384 MiB pod (bench/footprint.sh; README "Footprint"): SerialGC (no
# G1 remembered sets; one collector thread is enough for a heap this size), the heap at 35% of the
# container's memory limit (MinRAMPercentage too, or the JVM takes 50% on small limits), a smaller
# code cache and thread stacks. MALLOC_ARENA_MAX keeps glibc from giving each thread its own arena.
ENV PORTFLUX_MEMORY_OPTS="-XX:+UseSerialGC -XX:MaxRAMPercentage=35 -XX:MinRAMPercentage=35 -XX:ReservedCodeCacheSize=64m -Xss512k"
# For a 256 MiB pod (measured the same way): C1 only. The C2 compiler's working memory peaked at 35 MiB and
# glibc kept it; without C2 the peak RSS of the 256 MiB run is about 60 MiB lower. report=all streams are
# then slower (README "Footprint"), so it is not the default. Set it with the chart's javaToolOptions.
ENV PORTFLUX_SMALL_POD_OPTS="${PORTFLUX_MEMORY_OPTS} -XX:TieredStopAtLevel=1"
ENV MALLOC_ARENA_MAX=2
# /tmp is the only path the app writes (Netty unpacks its native transport there). In Kubernetes
# it is an emptyDir under a read-only root filesystem.
ENV JAVA_TOOL_OPTIONS="${PORTFLUX_MEMORY_OPTS} -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp"
# Class-data sharing: a training start (bin/train.sh: it serves readiness, the page and a 1-1024 scan
# of the build container's own loopback, then stops) records every class it loaded into an archive
# that later starts map instead of parsing jars again. With Spring AOT's pre-computed bean
# definitions (spring.aot.enabled) this halves the CPU a start needs before it is ready. The archive
# is only valid for these exact jars and this JVM, so it is made here.
COPY bin/train.sh /usr/local/bin/portflux-train
RUN bash /usr/local/bin/portflux-train portflux.jar portflux.jsa -Dspring.aot.enabled=true
# The embedded store (an H2 file) lives in /data, the one directory the app user may write: mount a
# volume there to keep scans across containers, or set SPRING_R2DBC_URL for PostgreSQL.
RUN mkdir /data && chown "${UID}:${GID}" /data
ENV PORTFLUX_STORE_PATH=/data
VOLUME /data
USER ${UID}:${GID}
EXPOSE 8080
# CompileThresholdScaling=10 keeps the compilers from taking the second core while the beans are built, at the
# cost of a slower first full-range scan (see bin/app.sh). The java launcher puts JDK_JAVA_OPTIONS before the
# ENTRYPOINT's flags, so a pod can replace it (the chart's jitOptions; empty = the JVM's usual thresholds).
ENV JDK_JAVA_OPTIONS="-XX:CompileThresholdScaling=10"
# ArchiveRelocationMode=0 maps the archive where it was made to be, instead of moving it and rewriting every
# pointer in it at each start (see bin/app.sh).
ENTRYPOINT ["java", "-Dspring.aot.enabled=true", "-XX:SharedArchiveFile=portflux.jsa", "-Xlog:cds=off", \
            "-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0", "-jar", "portflux.jar"]
