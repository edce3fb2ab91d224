package dev.wanx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wanx.transport.session.MuxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --session-budget on `near` and `far`: parsing, checks, and the value reaching each config. */
class SessionOptionsTest {
    private static final long MB = 1L << 20;

    @TempDir Path dir;
    KeyFixture keys;

    @BeforeEach void keys() throws Exception { keys = new KeyFixture(dir); }

    String[] near(String... more) {
        return args(List.of("near", "--peer", "127.0.0.1:7443", "--peer-key", keys.farPub(), "--key", keys.nearKey(),
                "--socks", "1080"), more);
    }

    String[] far(String... more) {
        return args(List.of("far", "--key", keys.farKey(), "--authorized", keys.nearPub()), more);
    }

    private static String[] args(List<String> base, String... more) {
        List<String> a = new ArrayList<>(base);
        a.addAll(Arrays.asList(more));
        return a.toArray(new String[0]);
    }

    long nearBudget(Map<String, String> env, String... more) throws Exception {
        return ((NearCommand) Cli.parse(env, near(more))).buildConfig().sessionBudget();
    }

    long farBudget(Map<String, String> env, String... more) throws Exception {
        return ((FarCommand) Cli.parse(env, far(more))).buildConfig().sessionBudget();
    }

    @Test void defaultIsTheSessionLayersDefault() throws Exception {
        assertEquals(MuxOptions.defaults().sessionBudget(), nearBudget(Map.of()));
        assertEquals(MuxOptions.defaults().sessionBudget(), farBudget(Map.of()));
    }

    @Test void goodValuesReachBothConfigs() throws Exception {
        Object[][] cases = {
            {"256M", 256 * MB}, {"1M", MB}, {"8m", 8 * MB}, {"1.5G", 1536 * MB}, {"2GiB", 2048 * MB},
            {"1048576", MB}, {"1T", MuxOptions.MAX_SESSION_BUDGET},
        };
        for (Object[] c : cases) {
            assertEquals(c[1], nearBudget(Map.of(), "--session-budget", (String) c[0]), "near " + c[0]);
            assertEquals(c[1], farBudget(Map.of(), "--session-budget=" + c[0]), "far " + c[0]);
        }
    }

    @Test void badValuesAreExit2NamingTheOptionAndTheMinimum() {
        String[][] cases = {
            {"abc", "'abc' is not a size; expected at least 1M"},
            {"0", "'0' is below the minimum, 1M"},
            {"512K", "'512K' is below the minimum, 1M"},
            {"1048575", "'1048575' is below the minimum, 1M"},
            {"-1M", "'-1M' is not a size; expected at least 1M"},
            {"2T", "'2T' is above the maximum, 1T"},
        };
        for (String[] c : cases) {
            for (String[] args : List.of(near("--session-budget", c[0]), far("--session-budget=" + c[0]))) {
                Cli.Result r = Cli.run(args);
                assertEquals(ExitCodes.USAGE, r.code(), c[0] + ": " + r.err());
                assertTrue(r.errFirstLine().startsWith("wanx " + args[0] + ": Invalid value for option '--session-budget': "
                        + c[1]), r.err());
                assertEquals(2, r.err().lines().count(), "one line plus the --help hint: " + r.err());
            }
        }
    }

    @Test void environmentAndConfFileSetItTooAndAreCheckedTheSameWay() throws Exception {
        assertEquals(8 * MB, nearBudget(Map.of("WANX_NEAR_SESSION_BUDGET", "8M")));
        assertEquals(128 * MB, farBudget(Map.of("WANX_FAR_SESSION_BUDGET", "128M")));
        assertEquals(4 * MB, nearBudget(Map.of("WANX_NEAR_SESSION_BUDGET", "8M"), "--session-budget", "4M"),
                "the command line wins");

        Path conf = dir.resolve("wanx.properties");
        Files.writeString(conf, "near.session-budget = 32M\nfar.session-budget = 1G\n");
        assertEquals(32 * MB, nearBudget(Map.of(), "--config", conf.toString()));
        assertEquals(1024 * MB, farBudget(Map.of(), "--config", conf.toString()));

        Files.writeString(conf, "far.session-budget = 100K\n");
        Cli.Result r = Cli.run(far("--config", conf.toString()));
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.errFirstLine().contains("'--session-budget': '100K' is below the minimum, 1M"), r.err());
    }

    @Test void helpTeachesIt() {
        for (String cmd : new String[] {"near", "far"}) {
            String help = Cli.run(cmd, "--help").out().replaceAll("\\s+", " ");
            assertTrue(help.contains("--session-budget=SIZE"), cmd + ": " + help);
            assertTrue(help.contains("at most twice the budget"), cmd + ": " + help);
            assertTrue(help.contains("At least 1M."), cmd + ": " + help);
            assertTrue(help.contains("Default: 64M. Example: --session-budget 256M"), cmd + ": " + help);
        }
    }
}
