package dev.wanx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wanx.near.NearConfig;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDefaultsTest {
    @TempDir Path dir;
    KeyFixture keys;
    Path conf;

    @BeforeEach void setUp() throws Exception {
        keys = new KeyFixture(dir);
        conf = dir.resolve("wanx.properties");
        Files.writeString(conf, String.join("\n",
                "# comments and blank lines are fine",
                "near.peer = 127.0.0.1:7443",
                "near.peer-key = " + keys.farPub(),
                "near.key = " + keys.nearKey(),
                "near.http-proxy = 3128",
                "near.forward = 8445=fs:445 smb:8446=fs2:445",
                "far.listen = 9000",
                "log-level = warn", ""));
    }

    NearConfig near(Map<String, String> env, String... extra) throws Exception {
        String[] args = new String[extra.length + 3];
        args[0] = "near";
        args[1] = "--config";
        args[2] = conf.toString();
        System.arraycopy(extra, 0, args, 3, extra.length);
        return ((NearCommand) Cli.parse(env, args)).buildConfig();
    }

    @Test void precedenceCommandLineThenEnvThenConfThenBuiltIn() throws Exception {
        Map<String, String> env = Map.of("WANX_NEAR_HTTP_PROXY", "4000");
        assertEquals(5000, near(env, "--http-proxy", "5000").httpProxy().getPort());
        assertEquals(4000, near(env).httpProxy().getPort());
        assertEquals(3128, near(Map.of()).httpProxy().getPort());
        assertEquals(NearConfig.Transport.AUTO, near(Map.of()).transport()); // not in conf: built-in
        assertEquals(NearConfig.Transport.UDP, near(Map.of("WANX_NEAR_TRANSPORT", "udp")).transport());
    }

    @Test void repeatableOptionsTakeSpaceSeparatedValues() throws Exception {
        NearConfig c = near(Map.of());
        assertEquals(2, c.forwards().size());
        assertEquals("fs2", c.forwards().get(1).host());
        assertEquals(new InetSocketAddress("127.0.0.1", 7443), c.peers().get(0));
    }

    @Test void configFromEnvironmentAndInheritedOptions() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("WANX_CONFIG", conf.toString());
        FarCommand far = Cli.parse(env, "far", "--key", keys.farKey(), "--authorized", keys.nearPub());
        assertEquals(9000, far.buildConfig().listen().getPort());
        Wanx root = (Wanx) far.spec.parent().userObject();
        assertEquals(java.util.logging.Level.WARNING, root.logLevel); // unprefixed key: every command
        env.put("WANX_LOG_LEVEL", "debug");
        far = Cli.parse(env, "far", "--key", keys.farKey(), "--authorized", keys.nearPub());
        assertEquals(java.util.logging.Level.FINE, ((Wanx) far.spec.parent().userObject()).logLevel);
    }

    @Test void envNamesFollowTheDocumentedScheme() {
        assertEquals("WANX_NEAR_PEER_KEY", ConfigDefaults.envName("near", "peer-key"));
        assertEquals("WANX_LOG_LEVEL", ConfigDefaults.envName("wanx", "log-level"));
    }

    @Test void socksPasswordFromEnvironment() throws Exception {
        NearConfig c = near(Map.of("WANX_SOCKS_PASSWORD", "pw"), "--socks", "1080", "--socks-user", "u");
        assertEquals("pw", c.socksPassword());
    }

    @Test void missingConfIsExit3() {
        Cli.Result r = Cli.run("near", "--config", dir.resolve("nope.properties").toString());
        assertEquals(ExitCodes.KEY_OR_CONFIG, r.code());
        assertEquals("wanx: config " + dir.resolve("nope.properties") + ": no such file", r.err().strip());
    }

    @Test void unknownKeyIsExit3() throws Exception {
        Files.writeString(conf, "near.peeer = 1.2.3.4:7443\nfar.listen = 7443\n");
        Cli.Result r = Cli.run("far", "--config", conf.toString());
        assertEquals(ExitCodes.KEY_OR_CONFIG, r.code());
        assertTrue(r.errFirstLine().contains("unknown key near.peeer"), r.err());
    }

    @Test void badValueInConfIsUsageError() throws Exception {
        Files.writeString(conf, "far.listen = nowhere\n");
        Cli.Result r = Cli.run("far", "--config", conf.toString(), "--key", keys.farKey(), "--authorized", keys.nearPub());
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.errFirstLine().contains("'nowhere': expected HOST:PORT"), r.err());
    }

    @Test void templateHasEveryOptionOfEveryCommand() throws Exception {
        Path template = Path.of("conf/wanx.properties");
        String text = Files.readString(template);
        picocli.CommandLine root = Wanx.commandLine(Map.of(), ConfigDefaults.load(new String[0], Map.of()));
        for (String cmd : new String[] {"far", "near", "demo", "keygen"}) {
            for (picocli.CommandLine.Model.OptionSpec o : root.getSubcommands().get(cmd).getCommandSpec().options()) {
                if (o.usageHelp() || o.versionHelp() || o.inherited()) continue;
                String key = cmd + "." + o.longestName().substring(2);
                assertTrue(text.contains("#" + key + " =") || text.contains("# " + key + " ="), "template lacks " + key);
            }
        }
        assertTrue(text.contains("# log-level ="), "template lacks log-level");
    }
}
