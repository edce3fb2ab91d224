package dev.wanx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LoggingTest {
    @Test void oneLinePerRecord() {
        LogRecord r = new LogRecord(Level.WARNING, "peer {0} gone\nreally");
        r.setParameters(new Object[] {"far-1"});
        r.setLoggerName("wanx.near");
        r.setInstant(java.time.Instant.EPOCH);
        r.setThrown(new java.io.IOException("connection reset"));
        String line = new Logging.OneLine(false).format(r);
        assertEquals("[1970-01-01T00:00:00.000Z] WARN wanx.near: peer far-1 gone really (connection reset)" + System.lineSeparator(), line);
        assertTrue(new Logging.OneLine(true).format(r).contains("\tat "));
    }

    @Test void levels() {
        assertEquals(Level.FINE, Logging.parseLevel("DEBUG"));
        assertEquals(Level.SEVERE, Logging.parseLevel("error"));
        assertEquals(Level.FINER, Logging.parseLevel("trace"));
        assertThrows(IllegalArgumentException.class, () -> Logging.parseLevel("loud"));
    }
}
