package dev.wanx.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthorizedKeysTest {
    private static final SecureRandom RND = new SecureRandom();
    @TempDir Path dir;

    private static byte[] pub() { return X25519KeyPair.generate(RND).publicKey(); }

    private static String b64(byte[] k) { return Base64.getEncoder().encodeToString(k); }

    @Test void singlePubFile() throws Exception {
        X25519KeyPair k = X25519KeyPair.generate(RND);
        KeyFiles.write(dir, "branch-office", k);
        AuthorizedKeys a = AuthorizedKeys.load(dir.resolve("branch-office.pub"));
        assertEquals(1, a.size());
        assertEquals(Optional.of("branch-office"), a.nameOf(k.publicKey()));
        assertEquals(Optional.empty(), a.nameOf(pub()));
    }

    @Test void directoryOfPubFiles() throws Exception {
        byte[] a = pub();
        byte[] b = pub();
        Files.writeString(dir.resolve("alice.pub"), b64(a) + "\n");
        Files.writeString(dir.resolve("bob.pub"), b64(b));
        Files.writeString(dir.resolve("README"), "not a key, ignored");
        AuthorizedKeys keys = AuthorizedKeys.load(dir);
        assertEquals(2, keys.size());
        assertEquals(Optional.of("alice"), keys.nameOf(a));
        assertEquals(Optional.of("bob"), keys.nameOf(b));
    }

    @Test void linesFileWithCommentsAndDefaultNames() throws Exception {
        byte[] a = pub();
        byte[] b = pub();
        byte[] c = pub();
        Path f = dir.resolve("authorized");
        Files.writeString(f, "# peers\n\n" + b64(a) + " alice\n   " + b64(b) + "\tbob   # laptop\n" + b64(c) + "\n");
        AuthorizedKeys keys = AuthorizedKeys.load(f);
        assertEquals(3, keys.size());
        assertEquals(Optional.of("alice"), keys.nameOf(a));
        assertEquals(Optional.of("bob"), keys.nameOf(b));
        assertEquals(Optional.of(b64(c).substring(0, 8)), keys.nameOf(c));
    }

    @Test void malformedLinesReportFileAndLine() throws Exception {
        Path f = dir.resolve("authorized");
        Files.writeString(f, b64(pub()) + " ok\n#\nnot-base64!! x\n");
        assertError(f + ":3:", "base64", f);
        Files.writeString(f, b64(new byte[31]) + " short\n");
        assertError(f + ":1:", "31 bytes", f);
        Files.writeString(f, b64(pub()) + " two names\n");
        assertError(f + ":1:", "fields", f);
        byte[] k = pub();
        Files.writeString(f, b64(k) + " a\n" + b64(k) + " b\n");
        assertError(f + ":2:", "already listed as 'a'", f);
        Files.writeString(f, "# nothing\n\n");
        assertError(f + ":", "no keys", f);
        Path missing = dir.resolve("missing");
        assertError(missing + ":", "no such file", missing);
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertError(empty + ":", "no *.pub", empty);
    }

    @Test void sameNameForTwoKeysIsAllowed() throws Exception {
        Path f = dir.resolve("authorized");
        byte[] a = pub();
        byte[] b = pub();
        Files.writeString(f, b64(a) + " ops\n" + b64(b) + " ops\n");
        AuthorizedKeys keys = AuthorizedKeys.load(f);
        assertEquals(Optional.of("ops"), keys.nameOf(a));
        assertEquals(Optional.of("ops"), keys.nameOf(b));
    }

    @Test void nameOfNeverThrows() throws Exception {
        Path f = dir.resolve("authorized");
        Files.writeString(f, b64(pub()) + "\n");
        AuthorizedKeys keys = AuthorizedKeys.load(f);
        assertEquals(Optional.empty(), keys.nameOf(null));
        assertEquals(Optional.empty(), keys.nameOf(new byte[0]));
        assertEquals(Optional.empty(), keys.nameOf(new byte[33]));
    }

    private static void assertError(String prefix, String fragment, Path p) {
        KeyFileException e = assertThrows(KeyFileException.class, () -> AuthorizedKeys.load(p));
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
