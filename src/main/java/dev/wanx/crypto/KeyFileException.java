package dev.wanx.crypto;

import java.io.IOException;
import java.nio.file.Path;

/** A key file or authorized-keys file that cannot be used; the message is one line naming the path and the problem. */
public final class KeyFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public KeyFileException(Path path, String problem) {
        super(path + ": " + problem);
    }

    public KeyFileException(Path path, int line, String problem) {
        super(path + ":" + line + ": " + problem);
    }
}
