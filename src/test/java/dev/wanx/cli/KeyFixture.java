package dev.wanx.cli;

import dev.wanx.crypto.KeyFiles;
import dev.wanx.crypto.X25519KeyPair;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;

/** far.key/far.pub and near.key/near.pub in a directory. */
final class KeyFixture {
    final Path dir;

    KeyFixture(Path dir) throws IOException {
        this.dir = dir;
        KeyFiles.write(dir, "far", X25519KeyPair.generate(new SecureRandom()));
        KeyFiles.write(dir, "near", X25519KeyPair.generate(new SecureRandom()));
    }

    String farKey() { return dir.resolve("far.key").toString(); }
    String farPub() { return dir.resolve("far.pub").toString(); }
    String nearKey() { return dir.resolve("near.key").toString(); }
    String nearPub() { return dir.resolve("near.pub").toString(); }
}
