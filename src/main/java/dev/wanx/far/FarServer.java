package dev.wanx.far;

import java.io.IOException;

/** A running far end: carriers, authorized peers, origin dialer. (Being built by the lead; signature is fixed.) */
public final class FarServer implements AutoCloseable {
    public static FarServer start(FarConfig config) throws IOException {
        throw new UnsupportedOperationException("in progress");
    }

    /** Blocks until closed. */
    public void awaitClose() throws InterruptedException { }

    @Override public void close() { }
}
