package dev.wanx.reduce;

import java.nio.file.Path;

/**
 * Whether an end reduces data, and where its chunk dictionary lives.
 *
 * @param enabled  near: mark new streams for reduction; far: accept such streams
 * @param dict     RocksDB directory of the chunk dictionary
 * @param dictSize size bound, e.g. "10G" (see {@link Sizes})
 */
public record ReduceSettings(boolean enabled, Path dict, String dictSize) {
    public static final String DEFAULT_SIZE = "10G";

    public ReduceSettings {
        if (enabled) {
            if (dict == null) throw new IllegalArgumentException("dictionary directory missing");
            Sizes.parse(dictSize); // fail early, with the parser's message
        }
    }

    /** Reduction on, dictionary under {@code stateDir/dict}, default size. */
    public static ReduceSettings under(Path stateDir) {
        return new ReduceSettings(true, stateDir.resolve("dict"), DEFAULT_SIZE);
    }

    public static ReduceSettings off() { return new ReduceSettings(false, null, DEFAULT_SIZE); }
}
