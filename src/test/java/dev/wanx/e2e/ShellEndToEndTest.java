package dev.wanx.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs scripts/e2e-curl: real wanx processes (far and near), a python3 origin and the real curl through
 * every front-end, then fail-forward and recovery. wanx runs from this test's classpath (the jar is only
 * built after the tests).
 */
class ShellEndToEndTest {
    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, tool).canExecute()) return true;
        }
        return false;
    }

    @Test void curlThroughEveryFrontEndWithRealProcesses() throws Exception {
        for (String tool : new String[] {"bash", "curl", "python3", "sha256sum"}) {
            Assumptions.assumeTrue(onPath(tool), tool + " not on PATH: skipping the shell end-to-end test");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder("bash", "scripts/e2e-curl").redirectErrorStream(true);
        pb.environment().put("WANX_CMD", java + " -Xmx256m -cp " + System.getProperty("java.class.path") + " dev.wanx.cli.Wanx");
        pb.environment().keySet().removeIf(k -> k.toLowerCase().endsWith("_proxy"));
        Process p = pb.start();
        byte[] out;
        try {
            out = p.getInputStream().readAllBytes();
            if (!p.waitFor(240, TimeUnit.SECONDS)) throw new AssertionError("e2e-curl did not finish in 240 s");
        } finally {
            p.destroyForcibly();
        }
        String text = new String(out, StandardCharsets.UTF_8);
        System.out.println(text);
        assertEquals(0, p.exitValue(), "scripts/e2e-curl failed:\n" + text);
    }
}
