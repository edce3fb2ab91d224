package dev.wanx.far;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmFileServerTest {
    @TempDir Path tmp;

    @Test void pathsStayUnderTheRoot() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root")).toRealPath();
        Files.writeString(root.resolve("a.txt"), "a");
        Files.writeString(tmp.resolve("outside.txt"), "x");
        Files.createSymbolicLink(root.resolve("link-out"), tmp.resolve("outside.txt"));
        Files.createSymbolicLink(root.resolve("link-in"), root.resolve("a.txt"));
        assertEquals(root.resolve("a.txt"), WarmFileServer.resolve(root, "/a.txt"));
        assertEquals(root.resolve("a.txt"), WarmFileServer.resolve(root, "//x/../a.txt"));
        assertNull(WarmFileServer.resolve(root, "/../outside.txt"), "dot-dot out");
        assertNull(WarmFileServer.resolve(root, "/link-out"), "a link pointing out");
        assertEquals(root.resolve("a.txt"), WarmFileServer.resolve(root, "/link-in"), "a link staying in");
        assertEquals(root, WarmFileServer.resolve(root, "/"));
        assertFalse(Files.exists(WarmFileServer.resolve(root, "/nope")), "missing stays missing (404)");
    }
}
