package dev.wanx.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.reduce.ChunkStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DictCommandTest {
    @TempDir Path dir;

    private int run(StringWriter out, StringWriter err, String... args) {
        return Wanx.run(args, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test void statsOfARealDictionary() throws Exception {
        Path d = dir.resolve("dict");
        try (ChunkStore s = ChunkStore.open(d, 64L << 20)) {
            assertNotNull(s.stats());
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, run(out, err, "dict", "stats", "--dict", d.toString()), err.toString());
        assertTrue(out.toString().contains("dictionary " + d), out.toString());
    }

    @Test void missingDictionaryIsOneClearLine() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path nowhere = dir.resolve("nope");
        assertEquals(ExitCodes.KEY_OR_CONFIG, run(out, err, "dict", "stats", "--dict", nowhere.toString()));
        assertTrue(err.toString().contains("no dictionary at " + nowhere), err.toString());
        assertFalse(Files.exists(nowhere), "stats must not create a dictionary");
    }
}
