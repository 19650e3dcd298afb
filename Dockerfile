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
    && cp target/portflux-*.jar app.jar \
    && java -Djarmode=tools -jar app.jar extract --layers --launcher --destination extracted

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
# /tmp is the only path the app writes (Netty unpacks its native transport there). In Kubernetes
# it is an emptyDir under a read-only root filesystem.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=60.0 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp"
USER ${UID}:${GID}
EXPOSE 8080
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
