package dev.wanx.cli;

import dev.wanx.reduce.DictTool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wanx dict stats}: what a chunk dictionary holds and how well it has served. */
@Command(name = "dict", mixinStandardHelpOptions = true,
        description = {"Inspect a data-reduction chunk dictionary.", ""},
        subcommands = DictCommand.Stats.class,
        footer = ExitCodes.FOOTER)
final class DictCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = {"Size, chunks, hit ratio and bytes saved of a dictionary.",
                "Opens it read-only, so it works beside a running wanx; while wanx runs it shows what has been "
                    + "flushed to disk (the write-ahead log is off).",
                "Example: wanx dict stats --dict ~/.wanx/near/dict", ""},
            footer = ExitCodes.FOOTER)
    static final class Stats implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--dict", paramLabel = "DIR", defaultValue = "${sys:user.home}/.wanx/near/dict",
                description = "Dictionary directory (the --dict of near or far, by default STATE/dict). "
                        + "Default: ${DEFAULT-VALUE}. Example: --dict /var/lib/wanx/far/dict")
        Path dict;

        @Override public Integer call() {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int rc;
            try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
                rc = DictTool.printStats(dict, ps);
            }
            String text = buf.toString(StandardCharsets.UTF_8).trim();
            if (rc == 0) {
                spec.commandLine().getOut().println(text);
                return ExitCodes.OK;
            }
            // One line, the tool's words; a missing dictionary is the user's input (usage), others a runtime failure.
            throw new CliException(rc == 2 ? ExitCodes.KEY_OR_CONFIG : ExitCodes.RUNTIME, text);
        }
    }
}
