package dev.wanx.near;

import java.io.IOException;

/** A running near end: front-ends, routing, fail-forward. (Being built by the lead; signature is fixed.) */
public final class NearServer implements AutoCloseable {
    public static NearServer start(NearConfig config) throws IOException {
        throw new UnsupportedOperationException("in progress");
    }

    /** Blocks until closed. */
    public void awaitClose() throws InterruptedException { }

    @Override public void close() { }
}
