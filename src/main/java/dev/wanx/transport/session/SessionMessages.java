package dev.wanx.transport.session;

import dev.wanx.transport.FrameLink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * A session's session-level messages (CONFIG, ANNOUNCE): sends this end's, and hands the peer's to a listener per
 * frame type, keeping the latest one that came before its listener. State is the session's loop's only.
 */
final class SessionMessages {
    private static final Logger LOG = Logger.getLogger("wanx.session");

    private final FrameLink link;
    private final ByteBufAllocator alloc;
    private final Executor onLoop;
    private final BooleanSupplier active;
    private final Consumer<ByteBuf> sendControl;
    /** Listeners by frame type; loop only. */
    private final Map<Integer, Consumer<byte[]>> listeners = new HashMap<>();
    /** The latest message of each type that came before any listener (loop only). */
    private final Map<Integer, byte[]> pending = new HashMap<>();

    /**
     * @param onLoop runs a task on the session's loop (at once when already on it)
     * @param active whether the session is up
     * @param sendControl sends and flushes a frame (the session's control path)
     */
    SessionMessages(FrameLink link, ByteBufAllocator alloc, Executor onLoop, BooleanSupplier active,
            Consumer<ByteBuf> sendControl) {
        this.link = link;
        this.alloc = alloc;
        this.onLoop = onLoop;
        this.active = active;
        this.sendControl = sendControl;
    }

    /** Any thread: the payload is copied at once. Dropped when the session is closed or it does not fit one frame. */
    void send(int type, byte[] payload) {
        byte[] copy = payload.clone();
        onLoop.execute(() -> {
            if (!active.getAsBoolean()) return;
            if (1 + copy.length > link.maxFrameSize()) {
                LOG.warning("message type " + type + " of " + copy.length + " bytes does not fit a frame on " + link.name()
                        + " to " + link.peerName() + ", not sent");
                return;
            }
            sendControl.accept(Frame.message(alloc, type, copy));
        });
    }

    /** Any thread. A message of this type that came before is handed to the listener at once. */
    void setListener(int type, Consumer<byte[]> listener) {
        onLoop.execute(() -> {
            listeners.put(type, listener);
            byte[] p = pending.remove(type);
            if (listener != null && p != null) deliver(listener, p);
        });
    }

    /** The peer's message of this type arrived (loop). */
    void onMessage(int type, byte[] payload) {
        Consumer<byte[]> l = listeners.get(type);
        if (l == null) {
            pending.put(type, payload); // kept for a listener set later; only the latest counts
            return;
        }
        deliver(l, payload);
    }

    private void deliver(Consumer<byte[]> l, byte[] payload) {
        try {
            l.accept(payload);
        } catch (RuntimeException e) {
            LOG.warning("session message listener failed: " + e);
        }
    }
}
