package dev.wanx.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The one duration syntax of every option and config file: 500ms, 5s, 2m, 1h, 1d, a bare number of seconds, or ISO-8601. */
public final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d{1,18})(ms|s|m|h|d)?");

    private Durations() { }

    /** Parses {@code s}; throws IllegalArgumentException naming the value and the expected forms. */
    public static Duration parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        Matcher m = SIMPLE.matcher(v);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                switch (unit) {
                    case "ms": return Duration.ofMillis(n);
                    case "s": return Duration.ofSeconds(n);
                    case "m": return Duration.ofMinutes(n);
                    case "h": return Duration.ofHours(n);
                    default: return Duration.ofDays(n);
                }
            }
            return Duration.parse(s.trim().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + s + "' is not a duration (examples: 500ms, 5s, 2m, PT1.5S)");
        }
    }

    /** The shortest text {@link #parse} reads back as the same whole number of milliseconds: 1500ms, 2s, 5m, 1h. */
    public static String format(long millis) {
        if (millis != 0 && millis % 3_600_000 == 0) return millis / 3_600_000 + "h";
        if (millis != 0 && millis % 60_000 == 0) return millis / 60_000 + "m";
        if (millis % 1000 == 0) return millis / 1000 + "s";
        return millis + "ms";
    }
}
