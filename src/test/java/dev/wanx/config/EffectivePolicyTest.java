package dev.wanx.config;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.config.EffectivePolicy.Entry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class EffectivePolicyTest {
    static Entry entry(EffectivePolicy p, String key) {
        return p.entries().stream().filter(e -> e.key().equals(key)).findFirst().orElseThrow();
    }

    @Test void defaultsBeforeAnyPush() {
        EffectivePolicy p = new EffectivePolicy(null, true, Duration.ofSeconds(1), true, Map.of());
        assertEquals(List.of(
                new Entry("accelerate", EffectivePolicy.EVERYTHING, "default"),
                new Entry("reduce", "on", "default"),
                new Entry("fail-forward-after", "1s", "default"),
                new Entry("fec", "auto", "default")), p.entries());
        assertNull(p.accelerate());
        assertTrue(p.reduce());
        assertEquals(Duration.ofSeconds(1), p.failForwardAfter());
        assertTrue(p.fecAllowed());
        assertNull(p.pushed());
    }

    @Test void explicitLocalBeatsPushedBeatsDefault() {
        EffectivePolicy p = new EffectivePolicy(Pattern.compile("^mine$"), true, Duration.ofMillis(500), true,
                Map.of("accelerate", EffectivePolicy.COMMAND_LINE, "fail-forward-after", EffectivePolicy.ENVIRONMENT));
        NearPolicy pushed = NearPolicy.parse("version = v7\naccelerate = ^theirs$\nfail-forward-after = 3s\nfec = off\n");
        String changed = p.applyPushed(pushed, "203.0.113.7:7443");
        assertEquals("fec: auto -> off", changed);
        // explicit local wins
        assertEquals("^mine$", p.accelerate().pattern());
        assertEquals(Duration.ofMillis(500), p.failForwardAfter());
        assertEquals(new Entry("accelerate", "^mine$", "command line (overrides far 203.0.113.7:7443, version v7: ^theirs$)"),
                entry(p, "accelerate"));
        assertEquals(new Entry("fail-forward-after", "500ms", "environment (overrides far 203.0.113.7:7443, version v7: 3s)"),
                entry(p, "fail-forward-after"));
        // pushed beats default
        assertFalse(p.fecAllowed());
        assertEquals(new Entry("fec", "off", "far 203.0.113.7:7443, version v7"), entry(p, "fec"));
        // not pushed: default
        assertTrue(p.reduce());
        assertEquals(new Entry("reduce", "on", "default"), entry(p, "reduce"));
    }

    @Test void aLaterPushReplacesTheEarlierOneKeysItDropsFallBack() {
        EffectivePolicy p = new EffectivePolicy(null, true, Duration.ofSeconds(1), true, Map.of());
        p.applyPushed(NearPolicy.parse("version = a\naccelerate = ^x$\nreduce = off\n"), "far1");
        assertEquals("^x$", p.accelerate().pattern());
        assertFalse(p.reduce());
        assertEquals("far far1, version a", entry(p, "reduce").source());
        String changed = p.applyPushed(NearPolicy.parse("version = b\naccelerate = .*\n"), "far1");
        assertEquals("accelerate: ^x$ -> .*; reduce: off -> on", changed);
        assertEquals(".*", p.accelerate().pattern());
        assertTrue(p.reduce());
        assertEquals(new Entry("reduce", "on", "default"), entry(p, "reduce"));
        assertEquals(new Entry("accelerate", ".*", "far far1, version b"), entry(p, "accelerate"));
        assertEquals("b", p.pushed().version());
        assertEquals("", p.applyPushed(NearPolicy.parse("version = b\naccelerate = .*\n"), "far1"), "the same again");
    }

    @Test void aPushCannotTurnReductionOnWithoutADictionary() {
        EffectivePolicy p = new EffectivePolicy(null, false, Duration.ofSeconds(1), true, Map.of());
        p.applyPushed(NearPolicy.parse("version = r\nreduce = on\n"), "far1");
        assertFalse(p.reduce());
        Entry e = entry(p, "reduce");
        assertEquals("off", e.value());
        assertTrue(e.source().startsWith("default (far far1, version r asks for on, but no dictionary is open"), e.source());
        // ...but it can turn it off where there is one
        EffectivePolicy q = new EffectivePolicy(null, true, Duration.ofSeconds(1), true, Map.of());
        q.applyPushed(NearPolicy.parse("reduce = off\n"), "far1");
        assertFalse(q.reduce());
    }

    @Test void listenersHearChangesInForceOnly() {
        EffectivePolicy p = new EffectivePolicy(null, true, Duration.ofSeconds(1), true, Map.of("fec", EffectivePolicy.CONF_FILE));
        AtomicInteger calls = new AtomicInteger();
        p.addListener(calls::incrementAndGet);
        p.applyPushed(NearPolicy.parse("fec = off\n"), "far1");
        assertEquals(0, calls.get(), "fec is set locally: nothing changed in force");
        assertTrue(p.fecAllowed());
        assertEquals("conf file (overrides far far1, version " + p.pushed().version() + ": off)", entry(p, "fec").source());
        p.applyPushed(NearPolicy.parse("fail-forward-after = 2s\n"), "far1");
        assertEquals(1, calls.get());
    }

    @Test void snapshotsAreConsistentWhileAPushLandsElsewhere() throws Exception {
        EffectivePolicy p = new EffectivePolicy(null, true, Duration.ofSeconds(1), true, Map.of());
        NearPolicy a = NearPolicy.parse("accelerate = ^a$\nfail-forward-after = 1s\n");
        NearPolicy b = NearPolicy.parse("accelerate = ^b$\nfail-forward-after = 2s\n");
        Thread pusher = new Thread(() -> {
            for (int i = 0; i < 300; i++) p.applyPushed(i % 2 == 0 ? a : b, "far1");
        });
        pusher.start();
        while (pusher.isAlive()) {
            EffectivePolicy.Snapshot s = p.snapshot();
            if (s.accelerate() != null) {
                assertEquals(s.accelerate().pattern().equals("^a$") ? Duration.ofSeconds(1) : Duration.ofSeconds(2), s.failForwardAfter());
            }
        }
        pusher.join();
    }

    @Test void unknownExplicitKeysAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new EffectivePolicy(null, true, Duration.ofSeconds(1), true, Map.of("acelerate", "command line")));
    }
}
