package dev.wanx.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * java.util.logging set up for operators: one line per record on stderr, {@code [time] LEVEL logger: message}.
 * JUL is used (not SLF4J) because the JDK has it and Netty falls back to it, so one knob controls everything.
 */
final class Logging {
    private Logging() { }

    /** Accepts the usual names (error, warn, info, debug, trace) as well as JUL's (SEVERE, FINE, ...). */
    static Level parseLevel(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "off": return Level.OFF;
            case "error": case "severe": return Level.SEVERE;
            case "warn": case "warning": return Level.WARNING;
            case "info": return Level.INFO;
            case "debug": case "fine": return Level.FINE;
            case "trace": case "finer": return Level.FINER;
            case "finest": return Level.FINEST;
            case "all": return Level.ALL;
            default: throw new IllegalArgumentException("unknown log level '" + s
                    + "' (expected off, error, warn, info, debug or trace)");
        }
    }

    /** Replaces the root handlers. {@code stackTraces}: print throwables in full (else only their one-line summary). */
    static void configure(Level level, boolean stackTraces) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) root.removeHandler(h);
        ConsoleHandler console = new ConsoleHandler(); // writes to System.err, keeping stdout for command output
        console.setFormatter(new OneLine(stackTraces));
        console.setLevel(level);
        root.addHandler(console);
        root.setLevel(level);
    }

    static final class OneLine extends Formatter {
        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(ZoneOffset.UTC);
        private final boolean stackTraces;

        OneLine(boolean stackTraces) { this.stackTraces = stackTraces; }

        @Override public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(128);
            sb.append('[').append(TIME.format(Instant.ofEpochMilli(r.getMillis()))).append("] ")
              .append(name(r.getLevel())).append(' ')
              .append(r.getLoggerName() == null ? "-" : r.getLoggerName()).append(": ")
              .append(formatMessage(r).replace('\n', ' '));
            Throwable t = r.getThrown();
            if (t != null) {
                if (stackTraces) {
                    StringWriter sw = new StringWriter();
                    t.printStackTrace(new PrintWriter(sw));
                    sb.append(System.lineSeparator()).append(sw.toString().stripTrailing());
                } else {
                    sb.append(" (").append(Failures.describe(t)).append(')');
                }
            }
            return sb.append(System.lineSeparator()).toString();
        }

        private static String name(Level l) {
            if (l == Level.SEVERE) return "ERROR";
            if (l == Level.WARNING) return "WARN";
            if (l == Level.FINE) return "DEBUG";
            if (l == Level.FINER || l == Level.FINEST) return "TRACE";
            return l.getName();
        }
    }
}
