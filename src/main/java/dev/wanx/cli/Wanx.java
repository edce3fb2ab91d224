package dev.wanx.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/** The {@code wanx} command: a WAN optimizer's near and far ends, key generation and a local demo. */
@Command(name = "wanx", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Open-source WAN optimizer. Apps talk to a near end (HTTP proxy, SOCKS5, port forwards); it carries "
                + "their streams through an authenticated tunnel to a far end, which dials the real servers.",
            "",
            "First try:   wanx demo",
            "Real setup:  wanx keygen on each end, then `wanx far` by the servers and `wanx near` by the apps.",
            ""
        },
        subcommands = {DemoCommand.class, KeygenCommand.class, FarCommand.class, NearCommand.class,
            VersionCommand.class, DictCommand.class, WarmCommand.class, StatusCommand.class, CommandLine.HelpCommand.class},
        footer = ExitCodes.FOOTER)
public final class Wanx implements Callable<Integer> {

    // The three options below are inherited by every subcommand, so `wanx near --log-level debug` works too.
    // Inherited options write to this object's fields wherever they appear on the command line.

    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = {"Java properties file with defaults, keys <command>.<option> (e.g. near.peer=far.example.net:7443). "
                + "Also from env WANX_CONFIG. Template: conf/wanx.properties. Default: none. Example: --config /etc/wanx/wanx.properties"})
    Path config;

    @Option(names = "--log-level", paramLabel = "LEVEL", scope = ScopeType.INHERIT, defaultValue = "info",
            converter = Converters.LevelConverter.class,
            description = "off, error, warn, info, debug or trace. Default: ${DEFAULT-VALUE}. Example: --log-level debug")
    Level logLevel = Level.INFO;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Show stack traces with errors (same as env WANX_DEBUG=1). Default: off.")
    boolean verbose;

    @Spec CommandLine.Model.CommandSpec spec;

    private Map<String, String> env = System.getenv();

    /** `wanx` alone: show what there is, and fail as a missing argument would. */
    @Override public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    boolean stackTraces() {
        return verbose || "1".equals(env.get("WANX_DEBUG")) || "true".equalsIgnoreCase(env.get("WANX_DEBUG"));
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), null, null));
    }

    /** Runs the CLI and returns the exit code; {@code out}/{@code err} default to stdout/stderr (tests pass writers). */
    static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        PrintWriter errW = err != null ? err : new PrintWriter(System.err, true);
        ConfigDefaults defaults;
        try {
            defaults = ConfigDefaults.load(args, env);
        } catch (CliException e) {
            errW.println("wanx: " + e.getMessage());
            errW.flush();
            return e.exitCode();
        }
        CommandLine cl = commandLine(env, defaults);
        if (out != null) cl.setOut(out);
        if (err != null) cl.setErr(err);
        List<String> unknown = defaults.unknownKeys(cl);
        if (!unknown.isEmpty()) {
            errW.println("wanx: config " + defaults.confPath() + ": unknown key" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + " (expected <command>.<option>, e.g. near.peer)");
            errW.flush();
            return ExitCodes.KEY_OR_CONFIG;
        }
        int code = cl.execute(args);
        cl.getOut().flush();
        cl.getErr().flush();
        return code;
    }

    /** The configured command line, without running it (tests parse with it). */
    static CommandLine commandLine(Map<String, String> env, ConfigDefaults defaults) {
        Wanx root = new Wanx();
        root.env = env;
        CommandLine cl = new CommandLine(root);
        cl.setDefaultValueProvider(defaults);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionStrategy(pr -> {
            Logging.configure(root.logLevel, root.stackTraces());
            return new CommandLine.RunLast().execute(pr);
        });
        cl.setParameterExceptionHandler((ex, args) -> usageError(ex, root));
        cl.setExecutionExceptionHandler((ex, cmd, pr) -> failure(ex, cmd, pr, root));
        return cl;
    }

    /** A bad flag or value: one line, the hint to --help, exit 2. */
    private static int usageError(ParameterException ex, Wanx root) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
        if (ex instanceof UnmatchedArgumentException) UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        if (root.stackTraces()) ex.printStackTrace(err);
        err.flush();
        return ExitCodes.USAGE;
    }

    /** An exception from a command's call(): one line with the code from {@link ExitCodes}. */
    private static int failure(Exception ex, CommandLine cmd, ParseResult pr, Wanx root) {
        if (ex instanceof ParameterException) return usageError((ParameterException) ex, root);
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        int code;
        String message;
        if (ex instanceof CliException) {
            code = ((CliException) ex).exitCode();
            message = ex.getMessage();
        } else if (ex instanceof dev.wanx.crypto.KeyFileException) {
            code = ExitCodes.KEY_OR_CONFIG;
            message = ex.getMessage();
        } else if (Failures.isBindFailure(ex)) {
            code = ExitCodes.CANNOT_BIND;
            message = "cannot listen: " + Failures.rootMessage(ex);
        } else {
            code = ExitCodes.RUNTIME;
            message = "unexpected error: " + Failures.describe(ex);
        }
        err.println(name + ": " + message);
        if (root.stackTraces()) {
            ex.printStackTrace(err);
        } else if (code == ExitCodes.RUNTIME && !(ex instanceof CliException)) {
            err.println("(run with -v or WANX_DEBUG=1 for the stack trace)");
        }
        err.flush();
        return code;
    }
}
