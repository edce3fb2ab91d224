package dev.wanx.transport;

/** Per-stream options carried in OPEN, so both ends treat the stream's bytes the same way. */
public final class StreamFlags {
    /** The stream's bytes go through the data-reduction codec at both ends. */
    public static final int REDUCE = 1;

    private StreamFlags() { }
}
