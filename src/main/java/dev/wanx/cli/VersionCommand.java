package dev.wanx.cli;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Spec;

/**
 * {@code wanx version}: what runs here. The native libraries are probed because they are what differs between
 * hosts (a musl image, an unusual CPU): a missing one is reported, never fatal, since the tunnel works without them
 * (NIO instead of epoll; compression and the dictionary store degrade).
 */
@Command(name = "version", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print version, Java runtime, Netty transport and native library status.",
            "Shows the wanx version, the Java runtime, the Netty transport (epoll or NIO) and whether the native "
                + "libraries (zstd, RocksDB) load on this host; a missing library is reported, not fatal. "
                + "Same as `wanx --version`."},
        footer = ExitCodes.FOOTER)
final class VersionCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override public Integer call() {
        for (String line : report()) spec.commandLine().getOut().println(line);
        return ExitCodes.OK;
    }

    /** Used by --version. */
    static final class Provider implements IVersionProvider {
        @Override public String[] getVersion() { return report().toArray(new String[0]); }
    }

    static String version() {
        // The shaded jar carries Maven's pom.properties; classes run from target/classes do not.
        try (InputStream in = VersionCommand.class.getResourceAsStream("/META-INF/maven/dev.wanx/wanx/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null) return v;
            }
        } catch (Exception ignored) {
            // fall through: an unreadable resource only costs the version string
        }
        return "dev (not from a packaged jar)";
    }

    static List<String> report() {
        List<String> out = new ArrayList<>();
        out.add("wanx " + version());
        out.add("java: " + System.getProperty("java.runtime.version", System.getProperty("java.version")) + " ("
                + System.getProperty("java.vm.vendor") + ", " + System.getProperty("java.vm.name") + ") at "
                + System.getProperty("java.home"));
        out.add("os: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch")
                + ", " + Runtime.getRuntime().availableProcessors() + " cpus");
        out.add("netty transport: " + nettyTransport());
        out.add("zstd (zstd-jni): " + probe(() -> {
            com.github.luben.zstd.util.Native.load();
            return "loaded";
        }));
        out.add("rocksdb (rocksdbjni): " + probe(() -> {
            org.rocksdb.RocksDB.loadLibrary();
            org.rocksdb.RocksDB.Version v = org.rocksdb.RocksDB.rocksdbVersion();
            return "loaded, " + v;
        }));
        return out;
    }

    private static String nettyTransport() {
        try {
            if (Boolean.getBoolean("wanx.nio")) return "nio (forced by -Dwanx.nio=true)";
            if (io.netty.channel.epoll.Epoll.isAvailable()) return "epoll (native)";
            Throwable why = io.netty.channel.epoll.Epoll.unavailabilityCause();
            return "nio (epoll unavailable: " + (why == null ? "unknown" : Failures.describe(why)) + ")";
        } catch (Throwable t) {
            return "nio (epoll classes missing: " + Failures.describe(t) + ")";
        }
    }

    interface Probe { String run() throws Throwable; }

    /** Catches Throwable on purpose: UnsatisfiedLinkError and NoClassDefFoundError are what a missing library throws. */
    private static String probe(Probe p) {
        try {
            return p.run();
        } catch (Throwable t) {
            return "unavailable (" + Failures.describe(t) + ")";
        }
    }
}
