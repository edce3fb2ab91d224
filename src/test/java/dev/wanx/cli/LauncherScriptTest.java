package dev.wanx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/wanx run for real. The shaded jar does not exist during `mvn test` (it is built in `package`), so the
 * test points WANX_JAR at a manifest-only jar whose Class-Path is this test's class path: the script's job (find the
 * jar, pass WANX_JAVA_OPTS, exec java -jar with the arguments) is exercised exactly as with the real jar.
 */
class LauncherScriptTest {
    @TempDir Path dir;

    /** A manifest-only jar running dev.wanx.cli.Wanx on this test's class path, less entries containing {@code drop}. */
    private Path pathingJar(String... drop) throws Exception {
        Path jar = dir.resolve("pathing.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "dev.wanx.cli.Wanx");
        List<String> urls = new ArrayList<>();
        entries:
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            for (String d : drop) if (e.contains(d)) continue entries;
            urls.add(Path.of(e).toAbsolutePath().toUri().toString());
        }
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", urls));
        try (OutputStream o = Files.newOutputStream(jar)) {
            new JarOutputStream(o, m).close(); // manifest only
        }
        return jar;
    }

    private static String run(Path jar, String opts, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "scripts/wanx"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("WANX_JAR", jar.toString());
        pb.environment().put("WANX_JAVA_OPTS", opts);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue() + "\n" + out;
    }

    @Test void versionSurvivesMissingNativeLibraries() throws Exception {
        String out = run(pathingJar("rocksdbjni", "zstd-jni", "netty-transport-native-epoll", "netty-transport-classes-epoll"), "", "version");
        assertTrue(out.startsWith("0\n"), out);
        assertTrue(out.contains("zstd (zstd-jni): unavailable (NoClassDefFoundError"), out);
        assertTrue(out.contains("rocksdb (rocksdbjni): unavailable (NoClassDefFoundError"), out);
        assertTrue(out.contains("netty transport: nio (epoll classes missing"), out);
    }

    @Test void launcherRunsVersionWithJavaOpts() throws Exception {
        String out = run(pathingJar(), "-Dwanx.nio=true -Xshare:auto", "version");
        assertTrue(out.startsWith("0\nwanx "), out);
        assertTrue(out.contains("netty transport: nio (forced by -Dwanx.nio=true)"), "WANX_JAVA_OPTS not passed: " + out);
    }

    @Test void launcherPassesExitCodes() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "scripts/wanx", "keygen").redirectErrorStream(true);
        pb.environment().put("WANX_JAR", dir.resolve("missing.jar").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out); // WANX_JAR names a missing file: the launcher says so, builds nothing
        assertTrue(out.contains("missing.jar"), out);
    }
}
