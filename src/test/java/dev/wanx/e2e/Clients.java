package dev.wanx.e2e;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/** Blocking test clients: raw echo exchange with half-close, a SOCKS5 handshake, an HTTP head reader. */
final class Clients {
    private Clients() { }

    static Socket connect(InetSocketAddress a) throws IOException {
        Socket s = new Socket();
        s.connect(a, 5000);
        s.setSoTimeout(60_000);
        return s;
    }

    /** Sends {@code n} seeded bytes, half-closes, reads everything back; returns {sent sha, received sha}. */
    static byte[][] echo(Socket s, long n, long seed) throws Exception {
        MessageDigest sent = TestOrigins.sha();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = s.getOutputStream();
                Random r = new Random(seed);
                byte[] buf = new byte[32 << 10];
                long left = n;
                while (left > 0) {
                    r.nextBytes(buf);
                    int k = (int) Math.min(buf.length, left);
                    out.write(buf, 0, k);
                    sent.update(buf, 0, k);
                    left -= k;
                }
                out.flush();
                s.shutdownOutput();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        MessageDigest got = TestOrigins.sha();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[64 << 10];
        int r;
        while ((r = in.read(buf)) > 0) got.update(buf, 0, r);
        writer.get();
        return new byte[][] {sent.digest(), got.digest()};
    }

    /** SOCKS5 no-auth CONNECT; returns the reply code (0 = succeeded). */
    static int socksConnect(Socket s, String host, int port) throws IOException {
        OutputStream out = s.getOutputStream();
        DataInputStream in = new DataInputStream(s.getInputStream());
        out.write(new byte[] {5, 1, 0});
        out.flush();
        byte[] method = new byte[2];
        in.readFully(method);
        if (method[0] != 5 || method[1] != 0) throw new IOException("no acceptable method: " + method[1]);
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.write(new byte[] {5, 1, 0});
        byte[] ip = ipv4(host);
        if (ip != null) {
            req.write(1);
            req.write(ip);
        } else {
            byte[] h = host.getBytes(StandardCharsets.US_ASCII);
            req.write(3);
            req.write(h.length);
            req.write(h);
        }
        req.write(port >> 8);
        req.write(port & 0xff);
        out.write(req.toByteArray());
        out.flush();
        byte[] head = new byte[4];
        in.readFully(head);
        int atyp = head[3];
        int skip = atyp == 1 ? 4 : atyp == 4 ? 16 : in.readUnsignedByte();
        in.readFully(new byte[skip + 2]);
        return head[1];
    }

    private static byte[] ipv4(String host) {
        String[] p = host.split("\\.");
        if (p.length != 4) return null;
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            try {
                b[i] = (byte) Integer.parseInt(p[i]);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return b;
    }

    /** Reads an HTTP response head (up to the blank line) as text. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            byte[] a = b.toByteArray();
            int n = a.length;
            if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') break;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
