package dev.wanx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wanx.far.FarConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FarCommandTest {
    @TempDir Path dir;
    KeyFixture keys;

    @BeforeEach void keys() throws Exception { keys = new KeyFixture(dir); }

    @Test void argumentsMapToConfig() throws Exception {
        FarCommand far = Cli.parse("far", "--listen", "127.0.0.1:9443", "--key", keys.farKey(), "--authorized", keys.nearPub(),
                "--allow", "10.0.0.0/8", "--allow", "127.0.0.1/32:8000-8100", "--state", dir.resolve("st").toString(),
                "--connect-timeout", "1500ms");
        FarConfig c = far.buildConfig();
        assertEquals(new InetSocketAddress("127.0.0.1", 9443), c.listen());
        assertEquals(Path.of(keys.farKey()), c.key());
        assertEquals(Path.of(keys.nearPub()), c.authorized());
        assertEquals(List.of("10.0.0.0/8", "127.0.0.1/32:8000-8100"), c.allow());
        assertEquals(dir.resolve("st"), c.stateDir());
        assertEquals(Duration.ofMillis(1500), c.connectTimeout());
    }

    @Test void defaults() throws Exception {
        FarCommand far = Cli.parse("far", "--key", keys.farKey(), "--authorized", dir.toString());
        FarConfig c = far.buildConfig(); // a directory of *.pub is accepted
        assertEquals(new InetSocketAddress("0.0.0.0", 7443), c.listen());
        assertEquals(List.of(), c.allow());
        assertEquals(Duration.ofSeconds(10), c.connectTimeout());
        assertEquals(Path.of(System.getProperty("user.home"), ".wanx", "far"), c.stateDir());
        FarCommand barePort = Cli.parse("far", "--listen", "8443", "--key", keys.farKey(), "--authorized", keys.nearPub());
        assertEquals(new InetSocketAddress("0.0.0.0", 8443), barePort.buildConfig().listen());
    }

    @Test void missingKeyIsExit3NamingThePath() {
        String missing = dir.resolve("nope.key").toString();
        Cli.Result r = Cli.run("far", "--key", missing, "--authorized", keys.nearPub());
        assertEquals(ExitCodes.KEY_OR_CONFIG, r.code());
        assertEquals("wanx far: " + missing + ": no such file", r.err().strip());
    }

    @Test void badAuthorizedIsExit3() {
        Cli.Result r = Cli.run("far", "--key", keys.farKey(), "--authorized", dir.resolve("none").toString());
        assertEquals(ExitCodes.KEY_OR_CONFIG, r.code());
        assertTrue(r.errFirstLine().contains(dir.resolve("none").toString()), r.err());
    }

    @Test void badValuesAreExit2() {
        String[][] cases = {
            {"--listen", "nowhere", "'nowhere': expected HOST:PORT"},
            {"--listen", "1.2.3.4:99999", "port must be 1-65535"},
            {"--allow", "example.com", "bad --allow entry"},
            {"--connect-timeout", "soon", "'soon' is not a duration"},
            {"--connect-timeout", "0s", "must be positive"},
            {"--fleet", "fra.example.net", "'fra.example.net': expected HOST:PORT"},
            {"--capacity", "-1", "'--capacity': must not be negative"},
        };
        for (String[] c : cases) {
            Cli.Result r = Cli.run("far", "--key", keys.farKey(), "--authorized", keys.nearPub(), c[0], c[1]);
            assertEquals(ExitCodes.USAGE, r.code(), c[1] + ": " + r.err());
            assertTrue(r.errFirstLine().startsWith("wanx far: ") && r.errFirstLine().contains(c[2]), r.err());
            assertEquals(2, r.err().lines().count(), "one line plus the --help hint: " + r.err());
        }
    }

    @Test void nearPolicyFileIsCheckedAtStart() throws Exception {
        Path policy = dir.resolve("near-policy.conf");
        java.nio.file.Files.writeString(policy, "accelerate = \\.corp:445$\nfec = off\n");
        FarCommand far = Cli.parse("far", "--key", keys.farKey(), "--authorized", keys.nearPub(), "--near-policy", policy.toString());
        assertEquals(policy, far.buildConfig().nearPolicy());
        assertEquals(null, ((FarCommand) Cli.parse("far", "--key", keys.farKey(), "--authorized", keys.nearPub())).buildConfig().nearPolicy());

        java.nio.file.Files.writeString(policy, "# x\nacelerate = .*\n");
        Cli.Result bad = Cli.run("far", "--key", keys.farKey(), "--authorized", keys.nearPub(), "--near-policy", policy.toString());
        assertEquals(ExitCodes.KEY_OR_CONFIG, bad.code());
        assertEquals("wanx far: near policy " + policy + ": line 2: unknown key 'acelerate' (known: version, accelerate, reduce, "
                + "fail-forward-after, fec)", bad.errFirstLine());
        String missing = dir.resolve("none.conf").toString();
        Cli.Result gone = Cli.run("far", "--key", keys.farKey(), "--authorized", keys.nearPub(), "--near-policy", missing);
        assertEquals(ExitCodes.KEY_OR_CONFIG, gone.code());
        assertEquals("wanx far: near policy " + missing + ": no such file", gone.errFirstLine());
    }

    @Test void fleetOptionsMapToConfigAndABadFleetFileIsExit3NamingTheLine() throws Exception {
        Path fleet = dir.resolve("fleet");
        java.nio.file.Files.writeString(fleet, "# fleet\nb.example:7443 " + "A".repeat(43) + "=\n");
        FarCommand far = Cli.parse("far", "--key", keys.farKey(), "--authorized", keys.nearPub(),
                "--fleet", "a.example:7443,[2001:db8::7]:7443", "--fleet-file", fleet.toString(), "--capacity", "500");
        dev.wanx.far.FleetSettings f = far.buildConfig().fleet();
        assertEquals(List.of("a.example:7443", "[2001:db8::7]:7443"), f.members().stream().map(Object::toString).toList());
        assertEquals(fleet, f.file());
        assertEquals(500, f.capacity());
        assertEquals(50, f.loadPercent(250));
        assertEquals(100, f.loadPercent(900), "capped");
        assertEquals(-1, dev.wanx.far.FleetSettings.NONE.loadPercent(3), "no capacity: no load reported");

        java.nio.file.Files.writeString(fleet, "a.example:7443\nb.example:7443 notakey\n");
        Cli.Result bad = Cli.run("far", "--key", keys.farKey(), "--authorized", keys.nearPub(), "--fleet-file", fleet.toString());
        assertEquals(ExitCodes.KEY_OR_CONFIG, bad.code());
        assertTrue(bad.errFirstLine().startsWith("wanx far: fleet file " + fleet + ": line 2: "), bad.err());
        Cli.Result gone = Cli.run("far", "--key", keys.farKey(), "--authorized", keys.nearPub(), "--fleet-file", dir.resolve("no").toString());
        assertEquals(ExitCodes.KEY_OR_CONFIG, gone.code());
        assertTrue(gone.errFirstLine().contains(dir.resolve("no").toString()), gone.err());
    }

    @Test void missingRequiredOptionsAreExit2() {
        Cli.Result r = Cli.run("far");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.errFirstLine().contains("Missing required options"), r.err());
    }
}
