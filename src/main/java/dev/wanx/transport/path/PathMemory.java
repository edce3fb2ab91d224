package dev.wanx.transport.path;

/**
 * Path history by network context (see {@link PathContext}): the last model a session measured, so the next
 * session on the same path can start near the learned rate (careful resume) instead of slow-starting.
 * Implementations are thread-safe and never block the caller on disk.
 */
public interface PathMemory {
    /** The record for a context, or null if unknown or older than the memory keeps. */
    PathRecord lookup(String context);

    /** Remembers a context's latest record (written in the background). */
    void remember(String context, PathRecord record);

    /** Remembers nothing: every session starts as on an unknown path. */
    PathMemory NONE = new PathMemory() {
        @Override
        public PathRecord lookup(String context) { return null; }

        @Override
        public void remember(String context, PathRecord record) { }
    };
}
