package dev.wanx.near;

import dev.wanx.transport.Hint;

/** The protocol hint a front-end gives a dynamic (CONNECT/SOCKS) destination: all it knows is the port. */
public final class Hints {
    private Hints() { }

    public static Hint forPort(int port) {
        return port == 80 ? Hint.HTTP : Hint.RAW;
    }
}
