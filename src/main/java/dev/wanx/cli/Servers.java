package dev.wanx.cli;

import java.util.logging.Logger;

/** Shared run-until-signal behaviour of the long-running commands. */
final class Servers {
    private static final Logger LOG = Logger.getLogger("wanx.cli");

    private Servers() { }

    /**
     * SIGTERM/SIGINT run shutdown hooks: closing there lets streams end and sockets close instead of being cut,
     * and makes awaitClose() return in the main thread.
     */
    static void closeOnSignal(AutoCloseable server, String what) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info(what + " shutting down");
            try {
                server.close();
            } catch (Exception e) {
                LOG.warning(what + ": error while closing: " + Failures.describe(e));
            }
        }, "wanx-shutdown-" + what));
    }
}
