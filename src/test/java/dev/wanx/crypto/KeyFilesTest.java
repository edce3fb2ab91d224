package dev.wanx.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {
    private static final SecureRandom RND = new SecureRandom();
    @TempDir Path dir;

    @Test void writeThenRead() throws Exception {
        X25519KeyPair k = X25519KeyPair.generate(RND);
        Path priv = KeyFiles.write(dir.resolve("keys"), "far", k);
        assertEquals(dir.resolve("keys/far.key"), priv);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(priv)));
        String line = Files.readString(priv);
        assertEquals(Base64.getEncoder().encodeToString(k.privateKey()) + "\n", line);
        assertEquals(Base64.getEncoder().encodeToString(k.publicKey()) + "\n", Files.readString(dir.resolve("keys/far.pub")));
        assertEquals(k, KeyFiles.readPrivate(priv));
        assertArrayEquals(k.publicKey(), KeyFiles.readPublic(dir.resolve("keys/far.pub")));
        try (var s = Files.list(dir.resolve("keys"))) {
            assertEquals(2, s.count(), "no temporary files left behind");
        }
    }

    @Test void refusesToOverwriteUnlessForced() throws Exception {
        X25519KeyPair a = X25519KeyPair.generate(RND);
        X25519KeyPair b = X25519KeyPair.generate(RND);
        KeyFiles.write(dir, "near", a);
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFiles.write(dir, "near", b));
        assertTrue(e.getMessage().contains("near.key") && e.getMessage().contains("already exists"), e.getMessage());
        assertEquals(a, KeyFiles.readPrivate(dir.resolve("near.key")));
        KeyFiles.write(dir, "near", b, true);
        assertEquals(b, KeyFiles.readPrivate(dir.resolve("near.key")));
        // A lone .pub is also protected: it may be the peer's copy of someone's key.
        Files.delete(dir.resolve("near.key"));
        assertThrows(KeyFileException.class, () -> KeyFiles.write(dir, "near", a));
    }

    @Test void badNamesRejected() {
        X25519KeyPair k = X25519KeyPair.generate(RND);
        for (String bad : new String[] {"", "../x", "a/b", ".hidden", "has space", "x".repeat(65)}) {
            assertThrows(IllegalArgumentException.class, () -> KeyFiles.write(dir, bad, k), bad);
        }
    }

    @Test void readErrorsAreOneLineAndNameThePath() throws Exception {
        Path missing = dir.resolve("nope.key");
        assertMessage(missing, "no such file", () -> KeyFiles.readPrivate(missing));

        Path notB64 = write("bad.pub", "not-base64!!\n", "rw-r--r--");
        assertMessage(notB64, "not valid base64", () -> KeyFiles.readPublic(notB64));

        Path shortKey = write("short.pub", Base64.getEncoder().encodeToString(new byte[16]) + "\n", "rw-r--r--");
        assertMessage(shortKey, "16 bytes, expected 32", () -> KeyFiles.readPublic(shortKey));

        Path empty = write("empty.pub", "\n", "rw-r--r--");
        assertMessage(empty, "empty", () -> KeyFiles.readPublic(empty));

        Path twoLines = write("two.pub", Base64.getEncoder().encodeToString(new byte[32]) + "\nmore\n", "rw-r--r--");
        assertMessage(twoLines, "one line", () -> KeyFiles.readPublic(twoLines));

        Path big = write("big.pub", "A".repeat(10_000), "rw-r--r--");
        assertMessage(big, "too large", () -> KeyFiles.readPublic(big));

        assertMessage(dir, "directory", () -> KeyFiles.readPublic(dir));
    }

    @Test void worldReadablePrivateKeyRefusedGroupReadableAccepted() throws Exception {
        X25519KeyPair k = X25519KeyPair.generate(RND);
        Path priv = KeyFiles.write(dir, "far", k);
        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-r--r--"));
        assertMessage(priv, "chmod 600", () -> KeyFiles.readPrivate(priv));
        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(k, KeyFiles.readPrivate(priv), "group-readable only warns");
    }

    @Test void unclampedPrivateKeyFromElsewhereIsAccepted() throws Exception {
        byte[] raw = new byte[32];
        RND.nextBytes(raw);
        raw[0] |= 7; // not clamped, as some tools write it
        Path p = write("other.key", Base64.getEncoder().encodeToString(raw) + "\n", "rw-------");
        assertArrayEquals(X25519KeyPair.fromPrivate(raw).publicKey(), KeyFiles.readPrivate(p).publicKey());
    }

    private Path write(String name, String content, String mode) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void assertMessage(Path path, String fragment, Call call) {
        KeyFileException e = assertThrows(KeyFileException.class, call::run);
        String m = e.getMessage();
        assertTrue(m.startsWith(path.toString() + ":"), m);
        assertTrue(m.contains(fragment), m);
        assertFalse(m.contains("\n"), m);
    }
}
