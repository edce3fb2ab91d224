package dev.wanx.near;

import dev.wanx.relay.Conduit;
import dev.wanx.relay.ConduitSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;

/** An in-memory conduit for handler tests: records writes, lets the test play the far side. */
public final class FakeConduit implements Conduit {
    public final StringBuilder written = new StringBuilder();
    public ConduitSink sink;
    public boolean aborted;
    public boolean outputShut;
    public boolean readEnabled = true;
    public boolean writable = true;

    @Override public void write(ByteBuf data) {
        written.append(data.toString(StandardCharsets.ISO_8859_1));
        data.release();
    }

    @Override public void shutdownOutput() { outputShut = true; }

    @Override public void abort(Throwable cause) { aborted = true; }

    @Override public boolean isWritable() { return writable; }

    @Override public void setReadEnabled(boolean enabled) { readEnabled = enabled; }

    @Override public void setSink(ConduitSink sink) { this.sink = sink; }

    @Override public EventExecutor executor() { return ImmediateEventExecutor.INSTANCE; }

    @Override public String describe() { return "fake"; }

    /** The far side sends {@code text}. */
    public void receive(String text) {
        sink.onData(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }
}
