package dev.wanx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class WanxCliTest {

    @Test void noCommandShowsUsageAndExits2() {
        Cli.Result r = Cli.run();
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("Usage: wanx"), r.err());
    }

    @Test void unknownCommandIsOneLinePlusHint() {
        Cli.Result r = Cli.run("nera");
        assertEquals(ExitCodes.USAGE, r.code());
        assertEquals("wanx: Unmatched argument at index 0: 'nera'", r.errFirstLine());
        assertTrue(r.err().contains("Did you mean"), r.err());
        assertTrue(r.err().contains("Try 'wanx --help'"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "keygen", "far", "near", "version"})
    void badFlagIsUsageError(String command) {
        // required options given, so the unknown flag is the only problem picocli can report
        Map<String, String[]> required = Map.of(
                "keygen", new String[] {"--name", "k"},
                "far", new String[] {"--key", "k", "--authorized", "a"},
                "near", new String[] {"--peer", "h:1", "--peer-key", "p", "--key", "k"});
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(command));
        args.addAll(java.util.List.of(required.getOrDefault(command, new String[0])));
        args.add("--no-such-flag");
        Cli.Result r = Cli.run(args.toArray(new String[0]));
        assertEquals(ExitCodes.USAGE, r.code());
        assertEquals("wanx " + command + ": Unknown option: '--no-such-flag'", r.errFirstLine());
        assertTrue(r.err().contains("Try 'wanx " + command + " --help'"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "keygen", "far", "near", "version", "warm", "status"})
    void helpMentionsEveryOptionDefaultsExamplesAndExitCodes(String command) {
        java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
        java.io.PrintStream was = System.err;
        Cli.Result r;
        System.setErr(new java.io.PrintStream(stderr, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            r = Cli.run(command, "--help");
        } finally {
            System.setErr(was);
        }
        assertEquals(0, r.code(), r.err());
        String warnings = stderr.toString(java.nio.charset.StandardCharsets.UTF_8) + r.err();
        assertFalse(warnings.contains("picocli WARN"), "a help text picocli cannot format (a bare % is a format specifier): " + warnings);
        CommandLine sub = Wanx.commandLine(Map.of(), ConfigDefaults.load(new String[0], Map.of()))
                .getSubcommands().get(command);
        for (OptionSpec o : sub.getCommandSpec().options()) {
            assertTrue(r.out().contains(o.longestName()), command + " --help lacks " + o.longestName());
            if (o.usageHelp() || o.versionHelp()) continue;
            String d = String.join(" ", o.description());
            assertTrue(d.contains("Default") || d.contains("Required"), o.longestName() + ": no default in " + d);
            if (o.arity().max() > 0) assertTrue(d.contains("Example"), o.longestName() + ": no example in " + d);
        }
        assertTrue(r.out().contains("Exit codes: 0 ok, 1 runtime failure, 2 usage error"), r.out());
    }

    @Test void topHelpListsCommands() {
        Cli.Result r = Cli.run("--help");
        assertEquals(0, r.code());
        for (String c : new String[] {"demo", "keygen", "far", "near", "version"}) assertTrue(r.out().contains(c), c);
    }

    @Test void versionReportsRuntimeTransportAndNativeLibraries() {
        for (String[] args : new String[][] {{"version"}, {"--version"}}) {
            Cli.Result r = Cli.run(args);
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().startsWith("wanx "), r.out());
            for (String s : new String[] {"java: ", "netty transport: ", "zstd (zstd-jni): ", "rocksdb (rocksdbjni): "}) {
                assertTrue(r.out().contains(s), s + " missing in " + r.out());
            }
        }
    }

    @Test void badLogLevelIsUsageError() {
        Cli.Result r = Cli.run("version", "--log-level", "loud");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.errFirstLine().contains("unknown log level 'loud'"), r.err());
    }

    @Test void verboseShowsStackTraces() {
        Cli.Result quiet = Cli.run("near", "--peer", "x");
        Cli.Result loud = Cli.run(Map.of("WANX_DEBUG", "1"), "near", "--peer", "x");
        assertFalse(quiet.err().contains("\tat "), quiet.err());
        assertTrue(loud.err().contains("\tat "), loud.err());
        assertEquals(quiet.errFirstLine(), loud.errFirstLine());
    }
}
