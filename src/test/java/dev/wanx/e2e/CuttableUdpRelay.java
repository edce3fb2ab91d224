package dev.wanx.e2e;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A UDP relay between a near and a far that can be cut: afterwards it drops everything in both directions
 * without a word, as a dead link or a crashed far would. Loopback only.
 */
final class CuttableUdpRelay implements AutoCloseable {
    private final DatagramSocket front;   // the near talks to this
    private final DatagramSocket back;    // and this talks to the far
    private final InetSocketAddress far;
    private volatile SocketAddress near;
    private volatile boolean cut;
    private final Thread up;
    private final Thread down;

    CuttableUdpRelay(InetSocketAddress far) throws IOException {
        this.far = far;
        front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        back = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        up = pump(front, true);
        down = pump(back, false);
    }

    InetSocketAddress address() { return (InetSocketAddress) front.getLocalSocketAddress(); }

    void cut() { cut = true; }

    private Thread pump(DatagramSocket from, boolean towardsFar) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65536];
            while (!from.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    from.receive(p);
                    if (cut) continue;
                    if (towardsFar) {
                        near = p.getSocketAddress();
                        back.send(new DatagramPacket(p.getData(), p.getLength(), far));
                    } else if (near != null) {
                        front.send(new DatagramPacket(p.getData(), p.getLength(), near));
                    }
                } catch (IOException e) {
                    return; // socket closed
                }
            }
        }, "udp-relay-" + (towardsFar ? "up" : "down"));
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override public void close() throws InterruptedException {
        front.close();
        back.close();
        up.join(2000);
        down.join(2000);
    }
}
