package dev.wanx.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * WireGuard-style key files: {@code NAME.key} holds the base64 private key on one line (mode 0600), {@code NAME.pub}
 * the base64 public key. Policy on permissions when reading a private key: readable or writable by "others"
 * is refused (anyone on the host could impersonate this end); readable by the group only logs a warning, since
 * a deliberately shared service group is a legitimate setup.
 */
public final class KeyFiles {
    private static final Logger LOG = Logger.getLogger("wanx.crypto");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");
    private static final int MAX_FILE = 4096; // a key file is ~45 bytes; anything big is the wrong file

    private KeyFiles() { }

    public static Path privatePath(Path dir, String name) { return dir.resolve(name + ".key"); }

    public static Path publicPath(Path dir, String name) { return dir.resolve(name + ".pub"); }

    /** Writes NAME.key and NAME.pub, refusing to replace an existing key. Returns the private key's path. */
    public static Path write(Path dir, String name, X25519KeyPair pair) throws IOException {
        return write(dir, name, pair, false);
    }

    /**
     * Writes NAME.key (0600) and NAME.pub into {@code dir} (created if missing). Without {@code force}, an existing
     * NAME.key or NAME.pub is an error; with it both are replaced. Each file is written to a temporary file and
     * renamed, so a crash never leaves a half-written key.
     */
    public static Path write(Path dir, String name, X25519KeyPair pair, boolean force) throws IOException {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad key name '" + name + "' (letters, digits, '.', '_', '-'; at most 64)");
        }
        Path priv = privatePath(dir, name);
        Path pub = publicPath(dir, name);
        if (!force) {
            for (Path p : new Path[] {priv, pub}) {
                if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) throw new KeyFileException(p, "already exists (use --force to overwrite)");
            }
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new KeyFileException(dir, "cannot create directory (" + describe(e) + ")");
        }
        writeAtomically(priv, line(pair.privateKey()), true, force);
        writeAtomically(pub, line(pair.publicKey()), false, force);
        return priv;
    }

    /** Reads a private key file and derives its public key. */
    public static X25519KeyPair readPrivate(Path path) throws IOException {
        checkPrivatePermissions(path);
        byte[] key = readKey(path, "private key");
        try {
            return X25519KeyPair.fromPrivate(key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** Reads a public key file: one line of base64, 32 bytes. */
    public static byte[] readPublic(Path path) throws IOException {
        return readKey(path, "public key");
    }

    /** Decodes one base64 key; null when it is not base64 of exactly 32 bytes. Shared with {@link AuthorizedKeys}. */
    static byte[] decodeKey(String text) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return key.length == X25519KeyPair.KEY_SIZE ? key : null;
    }

    static String describeBadKey(String text) {
        try {
            int n = Base64.getDecoder().decode(text).length;
            return "key is " + n + " bytes, expected 32";
        } catch (IllegalArgumentException e) {
            return "not valid base64";
        }
    }

    private static byte[] readKey(Path path, String what) throws IOException {
        String text = readSmall(path).trim();
        if (text.isEmpty()) throw new KeyFileException(path, "empty file, expected a base64 " + what);
        if (text.indexOf('\n') >= 0 || text.indexOf(' ') >= 0 || text.indexOf('\t') >= 0) {
            throw new KeyFileException(path, "expected a single base64 " + what + " on one line");
        }
        byte[] key = decodeKey(text);
        if (key == null) throw new KeyFileException(path, what + ": " + describeBadKey(text));
        return key;
    }

    private static String readSmall(Path path) throws IOException {
        return readText(path, MAX_FILE);
    }

    /** Reads a whole ASCII text file of at most {@code max} bytes, with one-line errors. */
    static String readText(Path path, long max) throws IOException {
        try {
            if (Files.isDirectory(path)) throw new KeyFileException(path, "is a directory, expected a file");
            if (Files.size(path) > max) throw new KeyFileException(path, "too large (over " + max + " bytes)");
            return new String(Files.readAllBytes(path), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new KeyFileException(path, "no such file");
        } catch (AccessDeniedException e) {
            throw new KeyFileException(path, "permission denied");
        } catch (KeyFileException e) {
            throw e;
        } catch (IOException e) {
            throw new KeyFileException(path, "cannot read (" + describe(e) + ")");
        }
    }

    private static void checkPrivatePermissions(Path path) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        if (view == null || !Files.exists(path)) return; // non-POSIX file system, or readSmall reports "no such file"
        Set<PosixFilePermission> perms;
        try {
            perms = view.readAttributes().permissions();
        } catch (IOException e) {
            return; // readSmall gives the clearer error
        }
        if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new KeyFileException(path, "private key is accessible by other users (mode "
                    + PosixFilePermissions.toString(perms) + "); run: chmod 600 " + path);
        }
        if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.GROUP_WRITE)) {
            LOG.warning(path + ": private key is accessible by its group (mode " + PosixFilePermissions.toString(perms)
                    + "); consider chmod 600");
        }
    }

    private static void writeAtomically(Path target, byte[] content, boolean secret, boolean replace) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            if (Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class)) {
                // Created with its final mode, so the secret is never readable by others, not even briefly.
                String mode = secret ? "rw-------" : "rw-r--r--";
                tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
            } else {
                tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            }
            Files.write(tmp, content);
            if (replace) {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                // Without REPLACE_EXISTING the move fails if the target appeared since the check above.
                Files.move(tmp, target);
            }
            tmp = null;
        } catch (FileAlreadyExistsException e) {
            throw new KeyFileException(target, "already exists (use --force to overwrite)");
        } catch (AccessDeniedException e) {
            throw new KeyFileException(target, "permission denied");
        } catch (IOException e) {
            throw new KeyFileException(target, "cannot write (" + describe(e) + ")");
        } finally {
            if (tmp != null) Files.deleteIfExists(tmp);
        }
    }

    private static byte[] line(byte[] key) {
        return (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
