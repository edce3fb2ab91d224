package dev.wanx.reduce;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rocksdb.RocksDBException;

/**
 * {@code wanx dict stats}: prints a dictionary's size, chunk count, hit ratio and bytes saved. Opens the directory
 * read-only (RocksDB's read-only mode may open a directory a running wanx holds, but sees only what that process
 * has flushed), or reports live from a running {@link ReductionService}.
 */
public final class DictTool {
    private DictTool() { }

    /** Prints stats for the dictionary at {@code dir}; returns a process exit code. */
    public static int printStats(Path dir, PrintStream out) {
        if (!Files.isDirectory(dir)) {
            out.println("no dictionary at " + dir);
            return 2;
        }
        try (ChunkStore s = ChunkStore.openReadOnly(dir)) {
            out.println("dictionary " + dir + ": " + s.stats());
            return 0;
        } catch (RocksDBException e) {
            out.println("cannot open dictionary " + dir + ": " + e.getMessage());
            return 1;
        }
    }

    /** Live view from a running service: dictionary plus per-process stream totals (cold vs warm). */
    public static void printStats(ReductionService svc, PrintStream out) {
        out.println("dictionary: " + svc.dictStats());
        out.println("streams: " + svc.totals());
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: DictTool DIR");
            System.exit(64);
        }
        System.exit(printStats(Path.of(args[0]), System.out));
    }
}
