package dev.wanx.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The near-side policy a far holds for its nears (`wanx far --near-policy FILE`) and pushes to them at session start
 * and on every change: which destinations use the tunnel, whether new streams are reduced, how long a connection waits
 * for the tunnel, whether the UDP carrier may send FEC parity. Immutable and validated: every instance, whether read
 * from a file or decoded from the wire, holds only valid values. Only the keys actually set are carried; a near keeps
 * its own value for the others.
 *
 * <p>File: {@code key = value} lines; blank lines and lines whose first non-blank character is {@code #} are ignored
 * (a {@code #} later in a line is part of the value, as regexes may contain one). An optional {@code version = V}
 * (1 to 32 printable ASCII characters) names the policy; without it the version is the first 8 hex digits of the
 * SHA-256 of the normalized content ({@link #normalized()}), so a comment or spacing edit does not change it.
 *
 * <p>Wire form ({@link #encode()}, docs/PROTOCOL.md "CONFIG"): {@code format u8 (=1) | versionLen u8 | version (ASCII)
 * | count u8 | count × (key u8 | len u16 | value (UTF-8, the normalized text))}. Unknown key numbers are skipped (a
 * newer far may know more keys); anything else malformed is an error, never an exception ({@link #decode}).
 */
public final class NearPolicy {
    /** First byte of the wire form; a decoder refuses other values. */
    public static final int FORMAT = 1;
    public static final int MAX_VERSION = 32;
    /** Largest wire form: one session frame on any carrier (UDP frames hold about 1190 bytes). */
    public static final int MAX_WIRE = 1024;
    /** Upper bound for a pushed fail-forward-after: a far cannot make connections wait longer. */
    public static final Duration MAX_FAIL_FORWARD = Duration.ofMinutes(1);

    /** The keys, with their wire numbers. */
    public enum Key {
        ACCELERATE(1, "accelerate"),
        REDUCE(2, "reduce"),
        FAIL_FORWARD_AFTER(3, "fail-forward-after"),
        FEC(4, "fec");

        public final int id;
        public final String text;

        Key(int id, String text) {
            this.id = id;
            this.text = text;
        }

        /** The key named {@code text} in a file, or null. */
        public static Key byName(String text) {
            for (Key k : values()) if (k.text.equals(text)) return k;
            return null;
        }

        static Key byId(int id) {
            for (Key k : values()) if (k.id == id) return k;
            return null;
        }

        @Override public String toString() { return text; }
    }

    /** What {@link #decode} found: a policy, or why there is none. */
    public record Decoded(NearPolicy policy, String error) {
        public boolean ok() { return policy != null; }
    }

    private final String version;
    private final EnumMap<Key, String> values;
    private final Pattern accelerate;

    private NearPolicy(String version, EnumMap<Key, String> values) {
        this.values = values;
        this.accelerate = values.containsKey(Key.ACCELERATE) ? Pattern.compile(values.get(Key.ACCELERATE)) : null;
        this.version = version != null ? version : derivedVersion(normalized(values));
        byte[] wire = encode();
        if (wire.length > MAX_WIRE) {
            throw new IllegalArgumentException("policy too large: " + wire.length + " bytes encoded, at most " + MAX_WIRE
                    + " (shorten the accelerate regex)");
        }
    }

    /**
     * A policy of the given values (raw text, checked and normalized as in a file).
     *
     * @param version null to derive it from the content
     * @throws IllegalArgumentException naming the key whose value is invalid, or a bad version
     */
    public static NearPolicy of(String version, Map<Key, String> values) {
        EnumMap<Key, String> v = new EnumMap<>(Key.class);
        for (Map.Entry<Key, String> e : values.entrySet()) v.put(e.getKey(), normalize(e.getKey(), e.getValue()));
        return new NearPolicy(version == null ? null : checkVersion(version), v);
    }

    /** Reads a policy file; IllegalArgumentException (with the line or key) when its content is invalid. */
    public static NearPolicy load(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /**
     * Parses the text of a policy file.
     *
     * @throws IllegalArgumentException "line N: ..." for a line that is not {@code key = value}, an unknown or repeated
     *         key; "KEY: ..." for an invalid value
     */
    public static NearPolicy parse(String text) {
        EnumMap<Key, String> v = new EnumMap<>(Key.class);
        Map<String, Integer> seenOn = new java.util.HashMap<>();
        String version = null;
        String[] lines = text.split("\r?\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = lines[i].strip();
            if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int eq = line.indexOf('=');
            if (eq < 0) throw new IllegalArgumentException("line " + lineNo + ": expected 'key = value', got '" + clip(line) + "'");
            String name = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            Key key = Key.byName(name);
            if (key == null && !name.equals("version")) {
                throw new IllegalArgumentException("line " + lineNo + ": unknown key '" + clip(name) + "' (known: version, "
                        + String.join(", ", keyNames()) + ")");
            }
            Integer first = seenOn.putIfAbsent(name, lineNo);
            if (first != null) throw new IllegalArgumentException("line " + lineNo + ": '" + name + "' set twice (first on line " + first + ")");
            if (key == null) version = checkVersion(value);
            else v.put(key, normalize(key, value));
        }
        return new NearPolicy(version, v);
    }

    private static List<String> keyNames() {
        List<String> names = new ArrayList<>();
        for (Key k : Key.values()) names.add(k.text);
        return names;
    }

    /** Checks and normalizes one value; IllegalArgumentException "KEY: why" when invalid. */
    public static String normalize(Key key, String raw) {
        String v = raw == null ? "" : raw.strip();
        if (v.isEmpty()) throw new IllegalArgumentException(key + ": needs a value");
        switch (key) {
            case ACCELERATE -> {
                try {
                    Pattern.compile(v);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException(key + ": '" + clip(v) + "' is not a valid regular expression: "
                            + e.getDescription() + " near index " + e.getIndex());
                }
                return v;
            }
            case REDUCE -> {
                return oneOf(key, v, "on", "off");
            }
            case FEC -> {
                return oneOf(key, v, "auto", "off");
            }
            case FAIL_FORWARD_AFTER -> {
                Duration d;
                try {
                    d = Durations.parse(v);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(key + ": " + e.getMessage());
                }
                if (d.isNegative()) throw new IllegalArgumentException(key + ": must not be negative");
                if (d.compareTo(MAX_FAIL_FORWARD) > 0) {
                    throw new IllegalArgumentException(key + ": " + v + " is longer than the most a far may set, "
                            + Durations.format(MAX_FAIL_FORWARD.toMillis()));
                }
                return Durations.format(d.toMillis());
            }
            default -> throw new AssertionError(key);
        }
    }

    private static String oneOf(Key key, String v, String a, String b) {
        String l = v.toLowerCase(Locale.ROOT);
        if (l.equals(a) || l.equals(b)) return l;
        throw new IllegalArgumentException(key + ": '" + clip(v) + "' is not " + a + " or " + b);
    }

    private static String checkVersion(String v) {
        String s = v.strip();
        if (s.isEmpty() || s.length() > MAX_VERSION) {
            throw new IllegalArgumentException("version: must be 1 to " + MAX_VERSION + " characters, got " + s.length());
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) throw new IllegalArgumentException("version: only printable ASCII characters");
        }
        return s;
    }

    private static String clip(String s) { return s.length() <= 60 ? s : s.substring(0, 57) + "..."; }

    private static String normalized(Map<Key, String> values) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Key, String> e : values.entrySet()) sb.append(e.getKey().text).append(" = ").append(e.getValue()).append('\n');
        return sb.toString();
    }

    private static String derivedVersion(String normalized) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(normalized.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- wire

    /** The wire form (see the class comment); at most {@link #MAX_WIRE} bytes. */
    public byte[] encode() {
        byte[] ver = version.getBytes(StandardCharsets.US_ASCII);
        List<byte[]> vals = new ArrayList<>();
        int size = 1 + 1 + ver.length + 1;
        for (String v : values.values()) {
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            vals.add(b);
            size += 3 + b.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) FORMAT).put((byte) ver.length).put(ver).put((byte) values.size());
        int i = 0;
        for (Key k : values.keySet()) {
            byte[] b = vals.get(i++);
            if (b.length > 0xffff) throw new IllegalArgumentException(k + ": value too long");
            out.put((byte) k.id).putShort((short) b.length).put(b);
        }
        return out.array();
    }

    /** Reads a wire form. Never throws: garbage, truncation, unknown format or an invalid value give an error. */
    public static Decoded decode(byte[] wire) {
        try {
            return new Decoded(decodeOrThrow(wire), null);
        } catch (IllegalArgumentException e) {
            return new Decoded(null, e.getMessage());
        } catch (RuntimeException e) { // belt and braces: a peer's bytes must never break the caller
            return new Decoded(null, "malformed policy: " + e);
        }
    }

    private static NearPolicy decodeOrThrow(byte[] wire) {
        if (wire == null || wire.length == 0) throw new IllegalArgumentException("empty policy");
        ByteBuffer in = ByteBuffer.wrap(wire);
        int format = in.get() & 0xff;
        if (format != FORMAT) throw new IllegalArgumentException("unsupported policy format " + format + " (this near reads " + FORMAT + ")");
        int verLen = need(in, 1, "version length").get() & 0xff;
        byte[] ver = new byte[verLen];
        need(in, verLen, "version").get(ver);
        String version = checkVersion(new String(ver, StandardCharsets.US_ASCII));
        if (version.length() != verLen) throw new IllegalArgumentException("version: surrounding blanks");
        int count = need(in, 1, "key count").get() & 0xff;
        EnumMap<Key, String> v = new EnumMap<>(Key.class);
        for (int i = 0; i < count; i++) {
            int id = need(in, 3, "key " + (i + 1)).get() & 0xff;
            int len = in.getShort() & 0xffff;
            byte[] b = new byte[len];
            need(in, len, "value of key " + id).get(b);
            Key key = Key.byId(id);
            if (key == null) continue; // a key from a newer far: this near cannot apply it
            String raw = utf8(b, key);
            if (v.containsKey(key)) throw new IllegalArgumentException(key + ": sent twice");
            v.put(key, normalize(key, raw));
        }
        if (in.hasRemaining()) throw new IllegalArgumentException(in.remaining() + " stray bytes after the last key");
        return new NearPolicy(version, v);
    }

    private static ByteBuffer need(ByteBuffer in, int n, String what) {
        if (in.remaining() < n) throw new IllegalArgumentException("truncated policy: " + what + " missing");
        return in;
    }

    private static String utf8(byte[] b, Key key) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(key + ": not UTF-8");
        }
    }

    // ---------------------------------------------------------------- values

    public String version() { return version; }

    /** The keys set, with their normalized text, in key order. */
    public Map<Key, String> values() { return Collections.unmodifiableMap(values); }

    public boolean isSet(Key k) { return values.containsKey(k); }

    public Optional<String> get(Key k) { return Optional.ofNullable(values.get(k)); }

    public Optional<Pattern> accelerate() { return Optional.ofNullable(accelerate); }

    public Optional<Boolean> reduce() { return get(Key.REDUCE).map("on"::equals); }

    public Optional<Duration> failForwardAfter() { return get(Key.FAIL_FORWARD_AFTER).map(Durations::parse); }

    /** Whether the UDP carrier may send FEC parity ("auto": when the path's loss calls for it). */
    public Optional<Boolean> fec() { return get(Key.FEC).map("auto"::equals); }

    /** The content as a file would hold it, without the version: one "key = value" line per key set, in key order. */
    public String normalized() { return normalized(values); }

    @Override public boolean equals(Object o) {
        return o instanceof NearPolicy p && p.version.equals(version) && p.values.equals(values);
    }

    @Override public int hashCode() { return version.hashCode() * 31 + values.hashCode(); }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder("version ").append(version);
        values.forEach((k, v) -> sb.append(", ").append(k).append(" = ").append(v));
        return sb.toString();
    }
}
