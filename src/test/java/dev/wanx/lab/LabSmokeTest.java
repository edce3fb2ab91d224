package dev.wanx.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CI smoke on one emulated WAN row (100 ms RTT, 1 % loss per direction, 20 Mbit/s): wanx far and near
 * run from the test classpath in the lab's two namespaces, and an 8 MiB file goes far→near through a
 * port forward intact (SHA-256). No speed assertion: speed lives in scripts/bench.
 *
 * Needs root, working `ip netns`, and vde2 (scripts/lab-deps installs it); otherwise it is aborted with
 * the reason. The lab is always torn down in {@link #tearDown()}.
 */
@Tag("lab")
class LabSmokeTest {
    private static final String LAB = "wxsmoke";
    private static final int FILE_BYTES = 8 << 20;

    private static Path repo;
    private static Path wanlab;
    private static Path loadgen;
    private static Path work;
    private static boolean labUp;
    private static final List<Process> procs = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        repo = findRepo();
        wanlab = repo.resolve("scripts/wanlab");
        loadgen = repo.resolve("scripts/lab/loadgen.py");
        if (!Files.isExecutable(wanlab)) abort("scripts/wanlab not found from " + Paths.get("").toAbsolutePath());
        String uid = run(List.of("id", "-u"), 10).trim();
        if (!"0".equals(uid)) abort("not root (uid " + uid + "): the lab needs network namespaces");
        if (!onPath("vde_switch") || !onPath("wirefilter")) abort("vde2 is not installed (run scripts/lab-deps)");
        if (!onPath("python3")) abort("python3 is not installed (run scripts/lab-deps)");
        if (!onPath("ip")) abort("iproute2 (ip) is not installed");
        String probe = "wxprobe" + ProcessHandle.current().pid() % 1000;
        if (exit(List.of("ip", "netns", "add", probe), 10) != 0) abort("cannot create network namespaces (ip netns add failed)");
        exit(List.of("ip", "netns", "del", probe), 10);

        work = Files.createTempDirectory("wanx-lab-smoke");
        labUp = true;
        String out = run(List.of(wanlab.toString(), "up", LAB, "--rtt", "100", "--loss", "1", "--rate", "20"), 60);
        System.out.println(out.trim());
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (Process p : procs) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : procs) {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (labUp) {
            System.out.println(run(List.of(wanlab.toString(), "down", LAB), 60).trim());
        }
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void eightMebibytesFarToNearThroughForwardIntact() throws Exception {
        byte[] data = new byte[FILE_BYTES];
        new SecureRandom().nextBytes(data);
        Path served = work.resolve("served");
        Files.createDirectories(served);
        Files.write(served.resolve("payload.bin"), data);
        String want = sha256(data);

        Path keys = work.resolve("keys");
        Files.createDirectories(keys);
        for (String name : List.of("near", "far")) {
            int rc = exit(wanx("keygen", "--out", keys.toString(), "--name", name), 60);
            assertEquals(0, rc, "wanx keygen --name " + name + " failed");
        }
        String farAddr = run(List.of(wanlab.toString(), "addr", LAB, "far"), 10).trim();

        // origin file server on the far's loopback
        start("origin", "far", List.of("python3", loadgen.toString(), "serve", "--listen", "127.0.0.1:9000",
                "--root", served.toString()));
        Process far = start("wanx-far", "far", wanx("far", "--listen", "0.0.0.0:7443",
                "--key", keys.resolve("far.key").toString(), "--authorized", keys.resolve("near.pub").toString(),
                "--allow", "127.0.0.1/32"));
        Process near = start("wanx-near", "near", wanx("near", "--peer", farAddr + ":7443",
                "--peer-key", keys.resolve("far.pub").toString(), "--key", keys.resolve("near.key").toString(),
                "--transport", "udp", "--http-proxy", "127.0.0.1:3128",
                "--forward", "127.0.0.1:9000=127.0.0.1:9000"));

        Path got = work.resolve("got.bin");
        String result = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (System.nanoTime() < deadline) {
            assertTrue(far.isAlive(), () -> "wanx far exited: " + tail("wanx-far"));
            assertTrue(near.isAlive(), () -> "wanx near exited: " + tail("wanx-near"));
            List<String> get = new ArrayList<>(List.of(wanlab.toString(), "exec", LAB, "near", "python3",
                    loadgen.toString(), "get", "--to", "127.0.0.1:9000", "--file", "payload.bin",
                    "--out", got.toString(), "--cap", "120"));
            result = run(get, 150);
            if (result.contains("\"complete\": true")) break;
            Thread.sleep(1000); // near not listening yet, or the session is still coming up
        }
        final String last = result;
        assertTrue(last.contains("\"complete\": true"),
                () -> "transfer did not complete: " + tailOf(last) + "\nnear: " + tail("wanx-near") + "\nfar: " + tail("wanx-far"));
        assertEquals(FILE_BYTES, Files.size(got));
        assertEquals(want, sha256(Files.readAllBytes(got)), "payload changed on the way");
        System.out.println("lab smoke: " + last.trim());
    }

    // ------------------------------------------------------------------ helpers

    private static List<String> wanx(String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "dev.wanx.cli.Wanx"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static Process start(String name, String side, List<String> cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of(wanlab.toString(), "exec", LAB, side, "env", "HOME=" + work));
        full.addAll(cmd);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile());
        Process p = pb.start();
        procs.add(p);
        return p;
    }

    private static String tail(String name) {
        try {
            return tailOf(Files.readString(work.resolve(name + ".log")));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static String tailOf(String s) {
        return s.length() > 3000 ? "…" + s.substring(s.length() - 3000) : s;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Paths.get(dir, tool))) return true;
        }
        return Files.isExecutable(Paths.get("/usr/sbin", tool)) || Files.isExecutable(Paths.get("/sbin", tool));
    }

    private static Path findRepo() {
        Path p = Paths.get("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("scripts/wanlab"))) p = p.getParent();
        return p == null ? Paths.get("").toAbsolutePath() : p;
    }

    private static void abort(String why) {
        Assumptions.abort("lab smoke skipped: " + why);
    }

    private static int exit(List<String> cmd, int seconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static String run(List<String> cmd, int seconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            // read fully (the commands here print little); bounded by the wait below via destroy on timeout
            Thread killer = new Thread(() -> {
                try {
                    if (!p.waitFor(seconds, TimeUnit.SECONDS)) p.destroyForcibly();
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            });
            killer.setDaemon(true);
            killer.start();
            out = in.readAllBytes();
        }
        p.waitFor(5, TimeUnit.SECONDS);
        return new String(out, StandardCharsets.UTF_8);
    }
}
