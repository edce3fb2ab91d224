package dev.wanx.near.status;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * A Unix socket in the near's state folder ({@code STATE/near.sock}, mode 0600) that answers `wanx status`: one
 * request line ("status text" or "status json"), one answer, close. Served by one daemon thread, never an event
 * loop; a client gets 2 s to send its line. Only the owner of the state folder can ask.
 */
public final class ControlSocket implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("wanx.near");
    public static final String FILE = "near.sock";
    private static final int MAX_REQUEST = 256;

    private final Path path;
    private final ServerSocketChannel server;
    private final Thread thread;
    private volatile boolean closed;

    private ControlSocket(Path path, ServerSocketChannel server, Function<String, String> handler) {
        this.path = path;
        this.server = server;
        this.thread = new Thread(() -> serve(handler), "wanx-control");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Listens at {@code stateDir/near.sock}. A socket file left by a near that died is replaced; one that
     * answers belongs to a running near, and this one then runs without a control socket (logged).
     * {@code handler} maps a request line to the answer text.
     */
    public static ControlSocket open(Path stateDir, Function<String, String> handler) {
        if (stateDir == null) return null;
        Path p = stateDir.resolve(FILE);
        try {
            Files.createDirectories(stateDir);
            if (Files.exists(p)) {
                if (answers(p)) {
                    LOG.warning("another near answers on " + p + ": `wanx status` will reach that one, not this one");
                    return null;
                }
                Files.delete(p);
            }
            ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            s.bind(UnixDomainSocketAddress.of(p));
            try {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the folder's own permissions guard it
            }
            return new ControlSocket(p, s, handler);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warning("no control socket for `wanx status` at " + p + ": " + e.getMessage());
            return null;
        }
    }

    private static boolean answers(Path p) {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(p))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends one request to the near at {@code socket} and returns its answer. */
    public static String ask(Path socket, String request) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            c.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
            c.shutdownOutput();
            return new String(readAll(c), StandardCharsets.UTF_8);
        }
    }

    private static byte[] readAll(SocketChannel c) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(16 << 10);
        while (c.read(b) >= 0) {
            out.write(b.array(), 0, b.position());
            b.clear();
        }
        return out.toByteArray();
    }

    private void serve(Function<String, String> handler) {
        while (!closed) {
            try (SocketChannel c = server.accept()) {
                String request = readLine(c);
                String answer;
                try {
                    answer = request == null ? "error: expected one request line\n" : handler.apply(request);
                } catch (RuntimeException e) {
                    answer = "error: " + e + "\n";
                }
                ByteBuffer out = ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8));
                while (out.hasRemaining()) c.write(out);
            } catch (IOException e) {
                if (!closed) LOG.fine(() -> "control socket: " + e.getMessage());
            }
        }
    }

    /** One line, at most MAX_REQUEST bytes, within 2 s; null otherwise (a stuck client cannot hold the thread). */
    private static String readLine(SocketChannel c) throws IOException {
        c.configureBlocking(false);
        ByteBuffer buf = ByteBuffer.allocate(MAX_REQUEST);
        long deadline = System.nanoTime() + 2_000_000_000L;
        try (java.nio.channels.Selector sel = java.nio.channels.Selector.open()) {
            c.register(sel, java.nio.channels.SelectionKey.OP_READ);
            while (buf.hasRemaining()) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) return null;
                sel.select(left);
                sel.selectedKeys().clear();
                int n = c.read(buf);
                for (int i = buf.position() - Math.max(n, 0); i < buf.position(); i++) {
                    if (buf.get(i) == '\n') return new String(buf.array(), 0, i, StandardCharsets.UTF_8).strip();
                }
                if (n < 0) return buf.position() == 0 ? null : new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
            }
            return null;
        } finally {
            c.configureBlocking(true);
        }
    }

    @Override public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.fine(() -> "could not remove " + path + ": " + e.getMessage());
        }
    }
}
