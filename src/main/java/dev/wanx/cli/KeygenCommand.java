package dev.wanx.cli;

import dev.wanx.crypto.KeyFiles;
import dev.wanx.crypto.X25519KeyPair;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code wanx keygen}: a WireGuard-like X25519 key pair in two one-line base64 files. */
@Command(name = "keygen", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate an X25519 key pair (NAME.key, NAME.pub).",
            "Writes NAME.key (private, mode 0600) and NAME.pub (public, one line of base64) and prints the public key. "
                + "Give NAME.pub to the other end: a far lists near keys in --authorized; a near names the far's key "
                + "in --peer-key.",
            "Example: wanx keygen --out /etc/wanx --name far", ""},
        footer = ExitCodes.FOOTER)
final class KeygenCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = ".",
            description = "Directory for the two files, created if missing. Default: ${DEFAULT-VALUE}. Example: --out /etc/wanx")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", required = true,
            description = "Base name of the files (letters, digits, '.', '_', '-'). Required. Example: --name near-paris")
    String name;

    @Option(names = "--force",
            description = "Replace existing NAME.key/NAME.pub. The old key stops working everywhere it was authorized. Default: off.")
    boolean force;

    @Override public Integer call() throws IOException {
        X25519KeyPair pair = X25519KeyPair.generate(new SecureRandom());
        Path priv;
        try {
            priv = KeyFiles.write(out, name, pair, force);
        } catch (IllegalArgumentException e) { // a bad --name: the user's input, so a usage error
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--name': " + e.getMessage());
        }
        PrintWriter w = spec.commandLine().getOut();
        w.println("public key:  " + Base64.getEncoder().encodeToString(pair.publicKey()));
        w.println("private key: " + priv + " (mode 0600; keep it on this host)");
        w.println("public file: " + KeyFiles.publicPath(out, name) + " (give it to the other end)");
        return ExitCodes.OK;
    }
}
