package dev.wanx.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;

/** Runs the CLI in-process with captured output and a chosen environment. */
final class Cli {
    record Result(int code, String out, String err) {
        String errFirstLine() { return err.lines().findFirst().orElse(""); }
    }

    static Result run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Wanx.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static Result run(String... args) { return run(Map.of(), args); }

    /** Parses without running: the subcommand's object with its fields set (for buildConfig tests). */
    @SuppressWarnings("unchecked")
    static <T> T parse(Map<String, String> env, String... args) {
        CommandLine cl = Wanx.commandLine(env, ConfigDefaults.load(args, env));
        CommandLine.ParseResult pr = cl.parseArgs(args);
        return (T) pr.subcommand().commandSpec().userObject();
    }

    static <T> T parse(String... args) { return parse(Map.of(), args); }

    private Cli() { }
}
