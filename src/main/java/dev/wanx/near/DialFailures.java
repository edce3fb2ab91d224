package dev.wanx.near;

import dev.wanx.transport.DialError;
import dev.wanx.transport.DialException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns whatever a dial future failed with into a {@link DialException} the front-ends can map. */
public final class DialFailures {
    private DialFailures() { }

    public static DialException unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof DialException d) return d;
        // A dialer bug or an unexpected failure: still tell the client something sensible.
        return new DialException(DialError.GENERAL, String.valueOf(c.getMessage()), c);
    }
}
