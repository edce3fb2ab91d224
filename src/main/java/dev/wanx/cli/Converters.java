package dev.wanx.cli;

import dev.wanx.near.Addresses;
import dev.wanx.near.Forward;
import dev.wanx.transport.HostPort;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters. Each throws IllegalArgumentException with a message that names the value and the expected
 * form; picocli turns it into "Invalid value for option '--x': ..." (exit code 2).
 */
final class Converters {
    private Converters() { }

    /**
     * picocli shows a TypeConversionException's message as is ("Invalid value for option '--x' (LABEL): msg"), but
     * wraps any other exception in a "cannot convert" sentence with the Java class names: keep it one clear line.
     */
    static <T> T checked(java.util.function.Supplier<T> f) {
        try {
            return f.get();
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** 500ms, 5s, 2m, 1h, 1d, a bare number of seconds, or ISO-8601 (PT1.5S). */
    static Duration duration(String s) { return dev.wanx.config.Durations.parse(s); }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override public Duration convert(String s) { return checked(() -> duration(s)); }
    }

    /** A listen address: PORT (on 127.0.0.1), HOST:PORT or [IPV6]:PORT. */
    static final class LocalListen implements ITypeConverter<InetSocketAddress> {
        @Override public InetSocketAddress convert(String s) { return checked(() -> Addresses.parseListen(s.trim(), "127.0.0.1")); }
    }

    /** A listen address that faces the network: a bare PORT means every interface. */
    static final class PublicListen implements ITypeConverter<InetSocketAddress> {
        @Override public InetSocketAddress convert(String s) { return checked(() -> Addresses.parseListen(s.trim(), "0.0.0.0")); }
    }

    static final class ForwardConverter implements ITypeConverter<Forward> {
        @Override public Forward convert(String s) { return checked(() -> Forward.parse(s.trim())); }
    }

    static final class RegexConverter implements ITypeConverter<Pattern> {
        @Override public Pattern convert(String s) {
            try {
                return Pattern.compile(s);
            } catch (PatternSyntaxException e) {
                throw new TypeConversionException("'" + s + "' is not a valid regular expression: "
                        + e.getDescription() + " near index " + e.getIndex());
            }
        }
    }

    static final class LevelConverter implements ITypeConverter<java.util.logging.Level> {
        @Override public java.util.logging.Level convert(String s) { return checked(() -> Logging.parseLevel(s)); }
    }

    /**
     * One far peer, HOST:PORT (--peer splits its value on commas). Names are resolved now so that a typo shows at
     * start-up; a name that does not resolve yet stays unresolved for the near to retry, since a far's DNS record
     * may appear after the near starts.
     */
    static InetSocketAddress peer(String s) {
        HostPort hp = HostPort.parse(s.trim());
        return new InetSocketAddress(hp.host(), hp.port());
    }
}
