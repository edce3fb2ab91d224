package dev.wanx.e2e;

import dev.wanx.crypto.KeyFiles;
import dev.wanx.crypto.X25519KeyPair;
import dev.wanx.far.FarConfig;
import dev.wanx.far.FarServer;
import dev.wanx.near.Forward;
import dev.wanx.near.NearConfig;
import dev.wanx.near.NearServer;
import dev.wanx.transport.Hint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A near+far pair on loopback with generated keys, for end-to-end tests. */
final class Lab implements AutoCloseable {
    final Path dir;
    final TestOrigins origins;
    FarServer far;
    NearServer near;
    final NearConfig.Transport transport;

    final boolean reduce;
    /** The far's --warm-root, if a test sets it before startFar. */
    Path warmRoot;
    /** The far's --near-policy, if a test sets it before startFar. */
    Path nearPolicy;
    /** The near's own --accelerate, and the policy keys it sets explicitly, if a test sets them before startNear. */
    java.util.regex.Pattern nearAccelerate;
    java.util.Map<String, String> nearPolicySources = java.util.Map.of();

    Lab(NearConfig.Transport transport) throws IOException {
        this(transport, true);
    }

    Lab(NearConfig.Transport transport, boolean reduce) throws IOException {
        this.transport = transport;
        this.reduce = reduce;
        dir = Files.createTempDirectory("wanx-e2e");
        SecureRandom rnd = new SecureRandom();
        KeyFiles.write(dir, "far", X25519KeyPair.generate(rnd));
        KeyFiles.write(dir, "near", X25519KeyPair.generate(rnd));
        KeyFiles.write(dir, "stranger", X25519KeyPair.generate(rnd));
        origins = new TestOrigins();
    }

    Lab startFar(int port) throws IOException {
        far = newFar("far", port);
        return this;
    }

    /** Another far with the same key and its own state, not managed by this lab: the caller closes it. */
    FarServer startExtraFar(String name) throws IOException {
        return newFar(name, 0);
    }

    private FarServer newFar(String name, int port) throws IOException {
        Path state = dir.resolve(name + "-state");
        return FarServer.start(new FarConfig(new InetSocketAddress("127.0.0.1", port), dir.resolve("far.key"),
                dir.resolve("near.pub"), List.of("127.0.0.1/32"), state, Duration.ofSeconds(5), dev.wanx.reduce.ReduceSettings.under(state), warmRoot,
                true, nearPolicy));
    }

    Lab startNear(String nearKey) throws IOException {
        return startNear(nearKey, far.localAddress());
    }

    /** A near whose peer address is {@code peer} (the far, or a relay in front of it). */
    Lab startNear(String nearKey, InetSocketAddress peer) throws IOException {
        return startNear(nearKey, List.of(peer));
    }

    /** A near with several far candidates: it binds to the first that answers, and to another when that one is lost. */
    Lab startNear(String nearKey, List<InetSocketAddress> peers) throws IOException {
        NearConfig cfg = new NearConfig(peers, dir.resolve("far.pub"), dir.resolve(nearKey + ".key"),
                new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0), null, null,
                List.of(new Forward(Hint.RAW, new InetSocketAddress("127.0.0.1", 0), "127.0.0.1", origins.echoPort())),
                nearAccelerate, transport, dir.resolve("near-state"), Duration.ofSeconds(1),
                reduce ? dev.wanx.reduce.ReduceSettings.under(dir.resolve("near-state")) : dev.wanx.reduce.ReduceSettings.off(),
                true, nearPolicySources);
        near = NearServer.start(cfg);
        return this;
    }

    InetSocketAddress httpProxy() { return near.boundAddresses().get(0); }

    InetSocketAddress socks() { return near.boundAddresses().get(1); }

    InetSocketAddress forward() { return near.boundAddresses().get(2); }

    void awaitTunnel() throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (near.sessions().current() == null) {
            if (System.nanoTime() > end) throw new AssertionError("tunnel did not come up in 15 s");
            Thread.sleep(20);
        }
    }

    /** Streams of the near's current session open now (-1: no session). */
    long tunnelStreamsOpen() {
        var s = near.sessions().current();
        return s == null ? -1 : s.stats().streamsOpen();
    }

    long tunnelStreams() {
        var s = near.sessions().current();
        return s == null ? -1 : s.stats().streamsTotal();
    }

    @Override public void close() throws IOException {
        if (near != null) near.close();
        if (far != null) far.close();
        origins.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
