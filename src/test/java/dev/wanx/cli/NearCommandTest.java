package dev.wanx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wanx.near.Forward;
import dev.wanx.near.NearConfig;
import dev.wanx.transport.Hint;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NearCommandTest {
    @TempDir Path dir;
    KeyFixture keys;

    @BeforeEach void keys() throws Exception { keys = new KeyFixture(dir); }

    String[] base(String... more) {
        List<String> a = new ArrayList<>(List.of("near", "--peer", "127.0.0.1:7443", "--peer-key", keys.farPub(), "--key", keys.nearKey()));
        a.addAll(Arrays.asList(more));
        return a.toArray(new String[0]);
    }

    @Test void argumentsMapToConfig() throws Exception {
        NearCommand near = Cli.parse(Map.of("WANX_SOCKS_PASSWORD", "s3cret"),
                "near", "--peer", "127.0.0.1:7443,[::1]:7444", "--peer-key", keys.farPub(), "--key", keys.nearKey(),
                "--http-proxy", "3128", "--socks", "0.0.0.0:1080", "--socks-user", "app",
                "--forward", "8445=fileserver:445", "--forward", "smb:127.0.0.2:445=fs.corp:445",
                "--accelerate", ".*\\.corp:445", "--transport", "TCP", "--state", dir.resolve("s").toString(),
                "--fail-forward-after", "500ms");
        NearConfig c = near.buildConfig();
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 7443), new InetSocketAddress("::1", 7444)), c.peers());
        assertEquals(Path.of(keys.farPub()), c.peerKey());
        assertEquals(Path.of(keys.nearKey()), c.key());
        assertEquals(new InetSocketAddress("127.0.0.1", 3128), c.httpProxy());
        assertEquals(new InetSocketAddress("0.0.0.0", 1080), c.socks());
        assertEquals("app", c.socksUser());
        assertEquals("s3cret", c.socksPassword());
        assertEquals(List.of(new Forward(Hint.RAW, new InetSocketAddress("127.0.0.1", 8445), "fileserver", 445),
                new Forward(Hint.SMB, new InetSocketAddress("127.0.0.2", 445), "fs.corp", 445)), c.forwards());
        assertTrue(c.accelerate().matcher("fs.corp:445").matches());
        assertEquals(NearConfig.Transport.TCP, c.transport());
        assertEquals(dir.resolve("s"), c.stateDir());
        assertEquals(Duration.ofMillis(500), c.failForwardAfter());
    }

    @Test void defaults() throws Exception {
        NearConfig c = ((NearCommand) Cli.parse(base("--socks", "1080"))).buildConfig();
        assertNull(c.httpProxy());
        assertEquals(new InetSocketAddress("127.0.0.1", 1080), c.socks());
        assertNull(c.socksUser());
        assertNull(c.accelerate());
        assertEquals(List.of(), c.forwards());
        assertEquals(NearConfig.Transport.AUTO, c.transport());
        assertEquals(Duration.ofSeconds(1), c.failForwardAfter());
        assertEquals(Path.of(System.getProperty("user.home"), ".wanx", "near"), c.stateDir());
    }

    @Test void policyKeysSetByTheUserAreMarkedWithWhereFrom() throws Exception {
        assertEquals(Map.of(), ((NearCommand) Cli.parse(base("--socks", "1080"))).buildConfig().policySources(),
                "nothing set: a far's push applies to every key");
        Path conf = dir.resolve("wanx.properties");
        java.nio.file.Files.writeString(conf, "near.no-reduce = true\n");
        NearCommand near = Cli.parse(Map.of("WANX_NEAR_FAIL_FORWARD_AFTER", "2s"),
                base("--config", conf.toString(), "--socks", "1080", "--accelerate", "corp"));
        NearConfig c = near.buildConfig();
        assertEquals(Map.of("accelerate", "command line", "fail-forward-after", "environment", "reduce", "conf file"),
                c.policySources());
        assertEquals(Duration.ofSeconds(2), c.failForwardAfter());
        // The command line wins over the environment, and says so.
        NearCommand both = Cli.parse(Map.of("WANX_NEAR_FAIL_FORWARD_AFTER", "2s"), base("--socks", "1080", "--fail-forward-after", "3s"));
        assertEquals(Map.of("fail-forward-after", "command line"), both.buildConfig().policySources());
    }

    @Test void peerTakesFilesOfAddresses() throws Exception {
        Path fars = dir.resolve("fars");
        java.nio.file.Files.writeString(fars, "# the fleet's seeds\n127.0.0.1:7443\n\n[::1]:7444  # second\n");
        NearCommand near = Cli.parse("near", "--peer", fars + ",127.0.0.2:7445", "--peer-key", keys.farPub(), "--key", keys.nearKey(),
                "--socks", "1080");
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 7443), new InetSocketAddress("::1", 7444),
                new InetSocketAddress("127.0.0.2", 7445)), near.buildConfig().peers());

        java.nio.file.Files.writeString(fars, "127.0.0.1:7443\n127.0.0.1:7444 AAAA\n");
        Cli.Result keyed = Cli.run("near", "--peer", fars.toString(), "--peer-key", keys.farPub(), "--key", keys.nearKey(), "--socks", "1080");
        assertEquals(ExitCodes.USAGE, keyed.code());
        assertTrue(keyed.errFirstLine().contains(fars + " line 2: one HOST:PORT per line"), keyed.err());
        java.nio.file.Files.writeString(fars, "# nothing\n");
        Cli.Result empty = Cli.run("near", "--peer", fars.toString(), "--peer-key", keys.farPub(), "--key", keys.nearKey(), "--socks", "1080");
        assertEquals(ExitCodes.USAGE, empty.code());
        assertTrue(empty.errFirstLine().contains("no far address given"), empty.err());
    }

    @Test void needsSomethingToServe() {
        Cli.Result r = Cli.run(base());
        assertEquals(ExitCodes.USAGE, r.code());
        assertEquals("wanx near: nothing to serve: give at least one of --http-proxy, --socks, --forward", r.errFirstLine());
    }

    @Test void socksAuthCombinations() {
        assertEquals(ExitCodes.USAGE, Cli.run(base("--socks", "1080", "--socks-user", "u")).code());
        assertEquals(ExitCodes.USAGE, Cli.run(base("--socks", "1080", "--socks-password", "p")).code());
        Cli.Result noSocks = Cli.run(Map.of("WANX_SOCKS_PASSWORD", "p"), base("--http-proxy", "3128", "--socks-user", "u"));
        assertEquals(ExitCodes.USAGE, noSocks.code());
        assertTrue(noSocks.errFirstLine().contains("--socks-user given without --socks"), noSocks.err());
    }

    @Test void badValuesAreExit2() {
        String[][] cases = {
            {"--peer", "far.example", "is neither HOST:PORT nor a readable file"},
            {"--peer", "far.example:99999", "port must be 1-65535"},
            {"--forward", "8445", "expected [PROTO:]LADDR=HOST:PORT"},
            {"--forward", "8445=fileserver", "expected HOST:PORT"},
            {"--accelerate", "(", "is not a valid regular expression"},
            {"--transport", "carrier-pigeon", "expected one of [AUTO, UDP, TCP]"},
            {"--http-proxy", "[::1:3128", "expected [IPV6]:PORT"},
            {"--fail-forward-after", "1 fortnight", "is not a duration"},
        };
        for (String[] c : cases) {
            Cli.Result r = Cli.run(base("--socks", "1080", c[0], c[1]));
            assertEquals(ExitCodes.USAGE, r.code(), c[1] + ": " + r.err());
            assertTrue(r.errFirstLine().startsWith("wanx near: ") && r.errFirstLine().contains(c[2]), r.err());
        }
    }

    @Test void unreadableKeysAreExit3NamingThePath() {
        String missing = dir.resolve("gone.pub").toString();
        Cli.Result r = Cli.run("near", "--peer", "127.0.0.1:7443", "--peer-key", missing, "--key", keys.nearKey(), "--socks", "1080");
        assertEquals(ExitCodes.KEY_OR_CONFIG, r.code());
        assertEquals("wanx near: " + missing + ": no such file", r.err().strip());
        // a private key where the public one belongs is still "a key"; a public key file used as --key must be 0600-safe too
        Cli.Result swapped = Cli.run("near", "--peer", "127.0.0.1:7443", "--peer-key", keys.farPub(), "--key", keys.dir.toString(), "--socks", "1080");
        assertEquals(ExitCodes.KEY_OR_CONFIG, swapped.code());
        assertTrue(swapped.errFirstLine().contains(keys.dir.toString()), swapped.err());
    }
}
