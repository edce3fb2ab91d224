# syntax=docker/dockerfile:1
# wanx container image: a jlink'd Java runtime, the shaded jar and a start-up cache trained on a real run.
#
#   docker build -t wanx .
#   docker run --rm wanx version
#   docker run --rm wanx demo --self-test          (the demo listens on the container's loopback only)
#   docker run -d --name wanx-near --network host -v /etc/wanx:/etc/wanx:ro \
#       wanx near --peer far.example.net:7443 --peer-key /etc/wanx/far.pub --key /etc/wanx/near.key --http-proxy 3128
#   docker run -d --name wanx-far -p 7443:7443/udp -p 7443:7443/tcp -v /etc/wanx:/etc/wanx:ro \
#       wanx far --key /etc/wanx/far.key --authorized /etc/wanx/peers/
#
# Settings can also come from the environment (WANX_NEAR_PEER=..., see conf/wanx.properties), which suits
# orchestrators: `docker run -e WANX_NEAR_PEER=far:7443 ... wanx near`.
#
# JDK 25 because its AOT cache (JEP 483/514) also stores picocli's Java-5-format classes, which the AppCDS of
# JDK 17/21 skips; the jar itself targets Java 17. Set JDK=21 to get an AppCDS archive instead (-XX:ArchiveClassesAtExit).
ARG JDK=25

# ---- 1. build the shaded jar -------------------------------------------------------------------------------------
FROM maven:3-eclipse-temurin-${JDK} AS build
WORKDIR /src
# Dependencies first, so editing sources does not download them again.
COPY pom.xml .
RUN mvn -q -B dependency:go-offline -DskipTests || true
COPY src ./src
RUN mvn -q -B package -DskipTests && cp target/wanx.jar /wanx.jar

# ---- 2. a minimal Java runtime -----------------------------------------------------------------------------------
FROM eclipse-temurin:${JDK}-jdk AS jlink
COPY --from=build /wanx.jar /tmp/wanx.jar
# jdeps on the jar itself answers "java.base": the shaded jar carries a dependency's META-INF/versions/9/module-info
# and is taken for that module. Analysing the unpacked classes gives the real list; the fixed extras are what
# reflection and service loading need at run time (EC crypto providers, sun.misc.Unsafe for Netty, the demo's
# HTTP server).
RUN mkdir /tmp/classes && cd /tmp/classes && jar xf /tmp/wanx.jar && rm -rf META-INF/versions \
 && MODS="$(jdeps --ignore-missing-deps --print-module-deps /tmp/classes)" \
 && echo "jdeps: $MODS" \
 && jlink --add-modules "$MODS,java.logging,jdk.crypto.ec,jdk.unsupported,jdk.httpserver" \
          --strip-debug --no-man-pages --no-header-files --compress=zip-6 --generate-cds-archive \
          --output /opt/wanx/runtime \
 && du -sh /opt/wanx/runtime

# ---- 3. train the start-up cache on a real run -------------------------------------------------------------------
FROM debian:bookworm-slim AS train
COPY --from=jlink /opt/wanx/runtime /opt/wanx/runtime
COPY --from=build /wanx.jar /opt/wanx/lib/wanx.jar
# The same JVM options at training and at run time: the cache is checked against them.
ENV WANX_JAVA_OPTS="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
# `wanx demo --self-test` is the README's first command: keys, a far, a near and requests through both proxies.
# A failing self-test fails the image build.
RUN J=/opt/wanx/runtime/bin/java; \
    if $J -XX:+UnlockDiagnosticVMOptions -XX:+PrintFlagsFinal -version 2>/dev/null | grep -q AOTCacheOutput; then \
      $J $WANX_JAVA_OPTS -XX:AOTCacheOutput=/opt/wanx/lib/wanx.aot -Xlog:aot=error,cds=error \
         -jar /opt/wanx/lib/wanx.jar demo --self-test --state /tmp/demo; \
    else \
      $J -XX:ArchiveClassesAtExit=/opt/wanx/lib/wanx.jsa -Xlog:cds=error,cds+dynamic=error \
         -jar /opt/wanx/lib/wanx.jar demo --self-test --state /tmp/demo; \
    fi \
 && rm -rf /tmp/demo && ls -la /opt/wanx/lib

# ---- 4. the image ------------------------------------------------------------------------------------------------
FROM debian:bookworm-slim
COPY --from=jlink /opt/wanx/runtime /opt/wanx/runtime
COPY --from=train /opt/wanx/lib /opt/wanx/lib
COPY scripts/wanx /opt/wanx/bin/wanx
COPY conf/wanx.properties /opt/wanx/conf/wanx.properties
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/wanx --create-home --shell /usr/sbin/nologin wanx \
 && if [ -f /opt/wanx/lib/wanx.aot ]; then ln -s wanx.aot /opt/wanx/lib/wanx.cache; else ln -s wanx.jsa /opt/wanx/lib/wanx.cache; fi \
 && chmod 0755 /opt/wanx/bin/wanx
ENV JAVA_HOME=/opt/wanx/runtime \
    WANX_JAR=/opt/wanx/lib/wanx.jar \
    WANX_JAVA_OPTS="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow" \
    WANX_NEAR_STATE=/var/lib/wanx/near \
    WANX_FAR_STATE=/var/lib/wanx/far \
    WANX_DEMO_STATE=/var/lib/wanx/demo
# The launcher picks up the cache from WANX_AOT; the symlink's target (.aot or .jsa) tells it which kind it is.
ENV WANX_AOT=/opt/wanx/lib/wanx.cache
USER wanx
WORKDIR /var/lib/wanx
VOLUME ["/var/lib/wanx"]
EXPOSE 7443/udp 7443/tcp 3128 1080
ENTRYPOINT ["/opt/wanx/bin/wanx"]
CMD ["--help"]
