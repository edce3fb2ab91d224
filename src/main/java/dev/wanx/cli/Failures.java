package dev.wanx.cli;

import java.net.BindException;
import java.net.InetSocketAddress;

/** Turns exceptions into the one-line messages and exit codes of {@link ExitCodes}. */
final class Failures {
    private Failures() { }

    /** "ExceptionName: message", or just the message for our own exceptions. */
    static String describe(Throwable t) {
        String m = t.getMessage();
        if (t instanceof CliException || t instanceof java.io.IOException && m != null && !(t instanceof BindException)) {
            return m;
        }
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /**
     * True when starting a listener failed because the address could not be bound. Netty's epoll transport reports
     * this as a NativeIoException ("bind(..) failed: Address already in use"), NIO as a BindException.
     */
    static boolean isBindFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BindException) return true;
            String m = c.getMessage();
            if (m != null && (m.contains("bind(") || m.contains("Address already in use")
                    || m.contains("Cannot assign requested address") || m.contains("Permission denied") && m.contains("bind"))) {
                return true;
            }
        }
        return false;
    }

    /** Maps a failure of {@code FarServer.start}/{@code NearServer.start} to a CLI failure. */
    static CliException startFailure(String what, Throwable t, InetSocketAddress... listening) {
        if (isBindFailure(t)) {
            StringBuilder addrs = new StringBuilder();
            for (InetSocketAddress a : listening) {
                if (a == null) continue;
                if (addrs.length() > 0) addrs.append(", ");
                addrs.append(a.getHostString()).append(':').append(a.getPort());
            }
            return new CliException(ExitCodes.CANNOT_BIND, "cannot listen on " + addrs + ": " + rootMessage(t), t);
        }
        if (t instanceof dev.wanx.crypto.KeyFileException) return new CliException(ExitCodes.KEY_OR_CONFIG, t.getMessage(), t);
        return new CliException(ExitCodes.RUNTIME, what + " failed to start: " + describe(t), t);
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) c = c.getCause();
        return c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
    }
}
