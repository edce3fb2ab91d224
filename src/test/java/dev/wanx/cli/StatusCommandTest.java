package dev.wanx.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.wanx.crypto.KeyFiles;
import dev.wanx.crypto.X25519KeyPair;
import dev.wanx.far.FarConfig;
import dev.wanx.far.FarServer;
import dev.wanx.near.Forward;
import dev.wanx.near.NearConfig;
import dev.wanx.near.NearServer;
import dev.wanx.near.status.ControlSocket;
import dev.wanx.reduce.ReduceSettings;
import dev.wanx.transport.Hint;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `wanx status` against a running near+far pair on loopback: text and JSON, and a clear error without a near. */
class StatusCommandTest {
    @TempDir Path dir;
    /** The far's --session-budget in the first test (the smallest it takes is 1 MiB). */
    private static final long FAR_BUDGET = 3L << 20;

    @Test void showsSessionFleetConfigAndStreams() throws Exception {
        SecureRandom rnd = new SecureRandom();
        KeyFiles.write(dir, "far", X25519KeyPair.generate(rnd));
        KeyFiles.write(dir, "near", X25519KeyPair.generate(rnd));
        Path policy = dir.resolve("policy");
        Files.writeString(policy, "version = v3\nfec = off\n");
        Path state = dir.resolve("near-state");
        try (ServerSocket origin = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             FarServer far = FarServer.start(new FarConfig(new InetSocketAddress("127.0.0.1", 0), dir.resolve("far.key"),
                     dir.resolve("near.pub"), List.of("127.0.0.1/32"), dir.resolve("far-state"), Duration.ofSeconds(5),
                     ReduceSettings.under(dir.resolve("far-state")), null, false, policy, dev.wanx.far.FleetSettings.NONE, FAR_BUDGET))) {
            NearServer near = NearServer.start(new NearConfig(List.of(far.localAddress()), dir.resolve("far.pub"),
                    dir.resolve("near.key"), null, null, null, null,
                    List.of(new Forward(Hint.RAW, new InetSocketAddress("127.0.0.1", 0), "127.0.0.1", origin.getLocalPort())),
                    null, NearConfig.Transport.UDP, state, Duration.ofSeconds(1), ReduceSettings.under(state), false));
            try {
                long end = System.nanoTime() + 10_000_000_000L;
                while ((near.sessions().current() == null || near.policy().pushed() == null) && System.nanoTime() < end) Thread.sleep(20);
                // One stream held open through the tunnel, so it is listed.
                try (Socket app = new Socket()) {
                    app.connect(near.boundAddresses().get(0));
                    try (Socket o = origin.accept()) {
                        OutputStream out = app.getOutputStream();
                        out.write("hello".getBytes());
                        out.flush();
                        InputStream in = o.getInputStream();
                        assertEquals('h', in.read());

                        Cli.Result text = Cli.run("status", "--state", state.toString());
                        assertEquals(ExitCodes.OK, text.code(), text.err());
                        assertTrue(text.out().contains("session   far:/127.0.0.1:" + far.localAddress().getPort() + " over udp"), text.out());
                        assertTrue(text.out().contains("lowest RTT"), text.out());
                        assertTrue(text.out().contains("far's version v3"), text.out());
                        assertTrue(text.out().matches("(?s).*fec\\s+off\\s+far .*version v3.*"), text.out());
                        assertTrue(text.out().matches("(?s).*path MTU: 1[23]\\d\\d-byte payloads \\(\\d+ probes?\\).*"), text.out());
                        assertTrue(text.out().contains("1 open through the tunnel"), text.out());
                        assertTrue(text.out().matches("(?s).*session credit: \\d+\\.\\d MiB received and not yet read by apps; "
                                + "the far may send \\d+\\.\\d MiB more, this near \\d+\\.\\d MiB.*"), text.out());
                        assertTrue(text.out().contains("127.0.0.1:" + origin.getLocalPort()), text.out());

                        Cli.Result json = Cli.run("status", "--state", state.toString(), "--json");
                        assertEquals(ExitCodes.OK, json.code(), json.err());
                        JsonObject m = JsonParser.parseString(json.out()).getAsJsonObject();
                        assertTrue(m.getAsJsonObject("session").get("up").getAsBoolean());
                        assertEquals("udp", m.getAsJsonObject("session").get("carrier").getAsString());
                        assertTrue(m.getAsJsonObject("session").getAsJsonObject("counters").has("fecRepairsSent"));
                        assertEquals(1, m.getAsJsonObject("fleet").getAsJsonArray("probes").size());
                        assertEquals("chosen", m.getAsJsonObject("fleet").getAsJsonArray("probes").get(0).getAsJsonObject().get("outcome").getAsString());
                        assertEquals("v3", m.getAsJsonObject("config").get("pushedVersion").getAsString());
                        // The running far's --session-budget reaches the wire: its SESSION_MAX lets the near send twice
                        // the budget, less what it sent (a default far: 128 MiB).
                        JsonObject session = m.getAsJsonObject("session");
                        long nearLeft = session.get("nearCreditLeft").getAsLong();
                        assertTrue(nearLeft > 2 * FAR_BUDGET - (64 << 10) && nearLeft <= 2 * FAR_BUDGET, "near may send " + nearLeft);
                        assertTrue(session.get("farCreditLeft").getAsLong() > 64L << 20, "the near's default budget: 128 MiB");
                        assertEquals(0, session.get("heldBytes").getAsLong(), "nothing from the origin waits for the app");
                        var streams = m.getAsJsonObject("streams").getAsJsonArray("open");
                        assertEquals(1, streams.size());
                        assertNotNull(streams.get(0).getAsJsonObject().get("reason"));
                    }
                }
            } finally {
                near.close();
            }
            assertFalse(Files.exists(state.resolve(ControlSocket.FILE)), "the socket goes with the near");
        }
    }

    @Test void withoutANearItSaysSo() {
        Cli.Result r = Cli.run(Map.of(), "status", "--state", dir.toString());
        assertEquals(ExitCodes.RUNTIME, r.code());
        assertTrue(r.errFirstLine().contains("no near is running with state " + dir), r.err());
    }

    @Test void aStaleSocketFileIsReplacedAndAGarbageRequestGetsAnError() throws Exception {
        Files.writeString(dir.resolve(ControlSocket.FILE), "left by a near that died");
        try (ControlSocket c = ControlSocket.open(dir, req -> "echo " + req + "\n")) {
            assertNotNull(c);
            assertEquals("echo status json\n", ControlSocket.ask(dir.resolve(ControlSocket.FILE), "status json"));
            assertNull(ControlSocket.open(dir, req -> "second"), "a second near does not steal a live socket");
        }
    }
}
