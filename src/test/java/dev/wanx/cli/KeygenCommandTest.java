package dev.wanx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeygenCommandTest {
    @TempDir Path dir;

    @Test void writesPrivate0600AndPublicBase64() throws Exception {
        Path out = dir.resolve("keys");
        Cli.Result r = Cli.run("keygen", "--out", out.toString(), "--name", "near1");
        assertEquals(0, r.code(), r.err());
        Path key = out.resolve("near1.key");
        Path pub = out.resolve("near1.pub");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        String priv = Files.readString(key, StandardCharsets.US_ASCII).strip();
        String pubText = Files.readString(pub, StandardCharsets.US_ASCII).strip();
        assertEquals(32, Base64.getDecoder().decode(priv).length);
        assertEquals(32, Base64.getDecoder().decode(pubText).length);
        assertTrue(r.out().contains("public key:  " + pubText), r.out());
        assertTrue(r.out().contains(key.toString()) && r.out().contains(pub.toString()), r.out());
        assertTrue(!r.out().contains(priv), "private key must not be printed");
    }

    @Test void refusesOverwriteWithExit3UnlessForced() throws Exception {
        assertEquals(0, Cli.run("keygen", "--out", dir.toString(), "--name", "k").code());
        String before = Files.readString(dir.resolve("k.pub"));
        Cli.Result again = Cli.run("keygen", "--out", dir.toString(), "--name", "k");
        assertEquals(ExitCodes.KEY_OR_CONFIG, again.code());
        assertEquals("wanx keygen: " + dir.resolve("k.key") + ": already exists (use --force to overwrite)", again.errFirstLine());
        assertEquals(before, Files.readString(dir.resolve("k.pub")));
        assertEquals(0, Cli.run("keygen", "--out", dir.toString(), "--name", "k", "--force").code());
        assertTrue(!before.equals(Files.readString(dir.resolve("k.pub"))));
    }

    @Test void badNameAndMissingNameAreUsageErrors() {
        Cli.Result bad = Cli.run("keygen", "--out", dir.toString(), "--name", "../evil");
        assertEquals(ExitCodes.USAGE, bad.code());
        assertTrue(bad.errFirstLine().startsWith("wanx keygen: Invalid value for option '--name': bad key name"), bad.err());
        Cli.Result missing = Cli.run("keygen", "--out", dir.toString());
        assertEquals(ExitCodes.USAGE, missing.code());
        assertTrue(missing.errFirstLine().contains("Missing required option: '--name=NAME'"), missing.err());
    }
}
