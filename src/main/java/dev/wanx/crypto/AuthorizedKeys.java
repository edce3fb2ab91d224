package dev.wanx.crypto;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The peers a far end accepts: public key to name. Immutable and thread-safe. {@link #load} takes
 * <ul>
 *   <li>a single {@code NAME.pub} file (as written by {@link KeyFiles}): one key, named NAME;</li>
 *   <li>a directory: every {@code *.pub} file in it (not recursive), each named by its file name without ".pub";</li>
 *   <li>any other file: lines of {@code BASE64KEY [name]}; {@code #} starts a comment, blank lines are skipped;
 *       a key without a name is named by its first 8 base64 characters.</li>
 * </ul>
 * The same key listed twice is an error (it would be ambiguous which name it has); the same name for two keys is
 * allowed (one person, two machines).
 */
public final class AuthorizedKeys {
    private static final long MAX_FILE = 16L << 20;
    private static final Pattern NAME = Pattern.compile("[\\p{Graph}&&[^#]]{1,64}");

    private final Map<String, String> names; // base64 key -> name

    private AuthorizedKeys(Map<String, String> names) {
        this.names = Collections.unmodifiableMap(names);
    }

    public static AuthorizedKeys load(Path fileOrDir) throws IOException {
        Map<String, String> names = new LinkedHashMap<>();
        if (Files.isDirectory(fileOrDir)) {
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(fileOrDir, "*.pub")) {
                for (Path p : ds) if (Files.isRegularFile(p)) files.add(p);
            } catch (IOException e) {
                throw new KeyFileException(fileOrDir, "cannot list directory (" + e.getClass().getSimpleName() + ")");
            }
            Collections.sort(files); // deterministic error reporting and iteration order
            for (Path p : files) addPubFile(names, p);
            if (names.isEmpty()) throw new KeyFileException(fileOrDir, "no *.pub files in directory");
        } else if (fileOrDir.getFileName() != null && fileOrDir.getFileName().toString().endsWith(".pub")) {
            addPubFile(names, fileOrDir);
        } else {
            parseLines(names, fileOrDir, KeyFiles.readText(fileOrDir, MAX_FILE).lines().toList());
            if (names.isEmpty()) throw new KeyFileException(fileOrDir, "no keys in file");
        }
        return new AuthorizedKeys(names);
    }

    /** The name of an authorized key, or empty for an unknown key or a malformed argument (never throws). */
    public Optional<String> nameOf(byte[] publicKey) {
        if (publicKey == null || publicKey.length != X25519KeyPair.KEY_SIZE) return Optional.empty();
        return Optional.ofNullable(names.get(Base64.getEncoder().encodeToString(publicKey)));
    }

    public int size() { return names.size(); }

    /** Base64 key to name, in load order; for listings and logs. */
    public Map<String, String> entries() { return names; }

    private static void addPubFile(Map<String, String> names, Path p) throws IOException {
        String file = p.getFileName().toString();
        String name = file.substring(0, file.length() - ".pub".length());
        if (!NAME.matcher(name).matches()) throw new KeyFileException(p, "file name does not give a usable peer name");
        byte[] key = KeyFiles.readPublic(p);
        put(names, Base64.getEncoder().encodeToString(key), name, p, 0);
    }

    private static void parseLines(Map<String, String> names, Path p, List<String> lines) throws IOException {
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            if (hash >= 0) line = line.substring(0, hash);
            line = line.strip();
            if (line.isEmpty()) continue;
            String[] parts = line.split("\\s+");
            int n = i + 1;
            if (parts.length > 2) throw new KeyFileException(p, n, "expected 'BASE64KEY [name]', found " + parts.length + " fields");
            byte[] key = KeyFiles.decodeKey(parts[0]);
            if (key == null) throw new KeyFileException(p, n, KeyFiles.describeBadKey(parts[0]));
            String b64 = Base64.getEncoder().encodeToString(key);
            String name = parts.length == 2 ? parts[1] : b64.substring(0, 8);
            if (!NAME.matcher(name).matches()) throw new KeyFileException(p, n, "bad name (at most 64 visible characters)");
            put(names, b64, name, p, n);
        }
    }

    private static void put(Map<String, String> names, String b64, String name, Path p, int line) throws KeyFileException {
        String old = names.putIfAbsent(b64, name);
        if (old != null) {
            String msg = "key already listed as '" + old + "'";
            throw line > 0 ? new KeyFileException(p, line, msg) : new KeyFileException(p, msg);
        }
    }

    @Override public String toString() { return "AuthorizedKeys[" + names.size() + " keys]"; }
}
