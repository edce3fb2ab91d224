package dev.wanx.e2e;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.config.EffectivePolicy;
import dev.wanx.near.NearConfig;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The far's --near-policy reaches the near at session start and on every edit, without a restart of either. */
class NearPolicyPushTest {
    static void await(String what, long seconds, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError(what + " within " + seconds + " s");
            Thread.sleep(20);
        }
    }

    static String pushedVersion(Lab lab) {
        var p = lab.near.policy().pushed();
        return p == null ? null : p.version();
    }

    static EffectivePolicy.Entry entry(Lab lab, String key) {
        return lab.near.policy().entries().stream().filter(e -> e.key().equals(key)).findFirst().orElseThrow();
    }

    /** Sends one GET through the near's HTTP proxy; returns how many tunnel streams it opened (0 = direct). */
    static long get(Lab lab) throws Exception {
        HttpClient http = HttpClient.newBuilder().proxy(ProxySelector.of(lab.httpProxy())).connectTimeout(Duration.ofSeconds(5)).build();
        long before = lab.tunnelStreams();
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lab.origins.httpPort() + "/bytes/1000"))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals(1000, r.body().length);
        return lab.tunnelStreams() - before;
    }

    @Test void pushedAtStartThenHotReloaded() throws Exception {
        try (Lab lab = new Lab(NearConfig.Transport.UDP)) {
            lab.nearPolicy = lab.dir.resolve("near-policy.conf");
            Files.writeString(lab.nearPolicy, "# branch offices\nversion = p1\naccelerate = ^nothing$\nfec = off\n");
            lab.startFar(0).startNear("near");
            lab.awaitTunnel();
            assertEquals("p1", lab.far.policyVersion());
            await("the near applies the pushed policy", 10, () -> "p1".equals(pushedVersion(lab)));
            assertEquals("^nothing$", entry(lab, "accelerate").value());
            assertTrue(entry(lab, "accelerate").source().startsWith("far ") && entry(lab, "accelerate").source().endsWith(", version p1"),
                    entry(lab, "accelerate").source());
            assertEquals("off", entry(lab, "fec").value());
            assertFalse(lab.near.policy().fecAllowed());
            assertEquals(0, get(lab), "not accelerated: direct");

            var session = lab.near.sessions().current();
            Path tmp = lab.dir.resolve("near-policy.conf.new"); // the way editors save: a new file renamed over the old
            Files.writeString(tmp, "version = p2\naccelerate = .*\n");
            Files.move(tmp, lab.nearPolicy, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            await("the far re-reads the file", 10, () -> "p2".equals(lab.far.policyVersion()));
            await("the near applies the new version", 10, () -> "p2".equals(pushedVersion(lab)));
            assertEquals(1, get(lab), "accelerated now: through the tunnel");
            assertSame(session, lab.near.sessions().current(), "same session: no restart, no reconnect");
            assertTrue(lab.near.policy().fecAllowed(), "fec no longer pushed: back to the default");
            assertEquals(new EffectivePolicy.Entry("fec", "auto", "default"), entry(lab, "fec"));

            // An invalid edit: the far keeps p2, the near is not disturbed.
            Files.writeString(lab.nearPolicy, "version = p3\naccelerate = (broken\n");
            Thread.sleep(2500);
            assertEquals("p2", lab.far.policyVersion());
            assertEquals("p2", pushedVersion(lab));
            assertEquals(1, get(lab));
        }
    }

    @Test void anExplicitLocalAccelerateIgnoresThePushedOne() throws Exception {
        try (Lab lab = new Lab(NearConfig.Transport.TCP)) {
            lab.nearPolicy = lab.dir.resolve("near-policy.conf");
            Files.writeString(lab.nearPolicy, "version = all\naccelerate = .*\n");
            lab.nearAccelerate = Pattern.compile("^nothing$");
            lab.nearPolicySources = Map.of("accelerate", EffectivePolicy.COMMAND_LINE);
            lab.startFar(0).startNear("near");
            lab.awaitTunnel();
            await("the near receives the pushed policy", 10, () -> "all".equals(pushedVersion(lab)));
            EffectivePolicy.Entry e = entry(lab, "accelerate");
            assertEquals("^nothing$", e.value());
            assertTrue(e.source().startsWith("command line (overrides far "), e.source());
            assertEquals(0, get(lab), "the local --accelerate wins: direct");
        }
    }
}
