package dev.wanx.cli;

import dev.wanx.reduce.ReduceSettings;
import dev.wanx.reduce.Sizes;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Data-reduction options shared by `near` and `far` (a picocli mixin). */
final class ReduceOptions {
    @Option(names = "--dict", paramLabel = "DIR",
            description = "Chunk dictionary (RocksDB) for data reduction. Default: the dict folder under --state. "
                    + "Example: --dict /var/cache/wanx/dict")
    Path dict;

    @Option(names = "--dict-size", paramLabel = "SIZE", defaultValue = ReduceSettings.DEFAULT_SIZE,
            description = "Disk the dictionary may use; the oldest chunks are evicted beyond it. Default: ${DEFAULT-VALUE}. "
                    + "Examples: 512M, 10G")
    String dictSize;

    @Option(names = "--no-reduce", defaultValue = "false",
            description = "Carry bytes as they are: no chunk references, no zstd. Near: new streams are not reduced. "
                    + "Far: reduced streams are refused (start the nears with --no-reduce too). Default: ${DEFAULT-VALUE} "
                    + "(reduction on). Example: --no-reduce")
    boolean noReduce;

    ReduceSettings settings(Path state) {
        try {
            Sizes.parse(dictSize);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, "--dict-size " + dictSize + ": " + e.getMessage());
        }
        if (noReduce) return ReduceSettings.off();
        return new ReduceSettings(true, dict != null ? dict : state.resolve("dict"), dictSize);
    }
}
