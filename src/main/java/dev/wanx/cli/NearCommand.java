package dev.wanx.cli;

import dev.wanx.config.EffectivePolicy;
import dev.wanx.crypto.KeyFiles;
import dev.wanx.discovery.FleetSource;
import dev.wanx.near.Forward;
import dev.wanx.near.NearConfig;
import dev.wanx.near.NearServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code wanx near}: the end next to the apps. */
@Command(name = "near", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the near end, next to the apps.",
            "Accepts app connections (HTTP proxy, SOCKS5, port forwards) and carries them through the tunnel to a far "
                + "end. If the far cannot be reached, connections go direct (fail-forward). At least one of "
                + "--http-proxy, --socks, --forward is needed. Stops cleanly on SIGTERM/SIGINT (the JVM then exits "
                + "with 143/130, as for any signal).",
            "Example:",
            "  wanx near --peer far.example.net:7443 --peer-key far.pub --key near.key \\",
            "            --http-proxy 127.0.0.1:3128 --socks 127.0.0.1:1080", ""},
        footer = ExitCodes.FOOTER)
final class NearCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger("wanx.cli");

    @Spec CommandSpec spec;

    @Option(names = "--peer", paramLabel = "HOST:PORT|FILE[,...]", required = true, split = ",", hideParamSyntax = true,
            description = {"The far end(s): every one gets the handshake at once and the best answer by RTT and load is "
                + "used. A name that resolves to several addresses gives several candidates; FILE is a list of HOST:PORT "
                + "lines (# comments). These are seeds: once a far announces its fleet, the near probes the fleet "
                + "(remembered in STATE/fleet) and comes back to the seeds only when no fleet member answers. "
                + "IPv6 in brackets. Required. Example: --peer far1.example.net:7443,[2001:db8::7]:7443  --peer /etc/wanx/fars"})
    List<String> peerArgs;

    /** The --peer values, files expanded (set by buildConfig). */
    List<InetSocketAddress> peers;

    @Option(names = "--peer-key", paramLabel = "FILE", required = true,
            description = "The far's public key (its NAME.pub). Required. Example: --peer-key /etc/wanx/far.pub")
    Path peerKey;

    @Option(names = "--key", paramLabel = "FILE", required = true,
            description = "This near's private key (from `wanx keygen`, mode 0600). Required. Example: --key /etc/wanx/near.key")
    Path key;

    @Option(names = "--http-proxy", paramLabel = "ADDR", converter = Converters.LocalListen.class,
            description = {"Listen as an HTTP proxy (plain requests and CONNECT). A bare PORT means 127.0.0.1. "
                + "Default: off. Example: --http-proxy 127.0.0.1:3128"})
    InetSocketAddress httpProxy;

    @Option(names = "--socks", paramLabel = "ADDR", converter = Converters.LocalListen.class,
            description = {"Listen as a SOCKS5 proxy. A bare PORT means 127.0.0.1. Default: off. Example: --socks 1080"})
    InetSocketAddress socks;

    @Option(names = "--socks-user", paramLabel = "USER",
            description = "Require SOCKS5 username/password auth (RFC 1929) with this user. Default: no auth. Example: --socks-user app")
    String socksUser;

    @Option(names = "--socks-password", paramLabel = "PASSWORD",
            description = {"Password for --socks-user. Prefer env WANX_SOCKS_PASSWORD or the conf file: "
                + "a command line is visible to every user of the host (ps). Default: none. "
                + "Example: WANX_SOCKS_PASSWORD=\"$(cat /etc/wanx/socks.pw)\" wanx near --socks-user app ..."})
    String socksPassword;

    @Option(names = "--forward", paramLabel = "[PROTO:]LADDR=HOST:PORT", split = "\\s+", hideParamSyntax = true,
            converter = Converters.ForwardConverter.class,
            description = {"Static port forward; repeatable. PROTO (raw, http, smb, imap; default raw) tells the optimizer "
                + "what the stream carries. LADDR is PORT (on 127.0.0.1) or HOST:PORT. Default: none. "
                + "Examples: --forward 8445=fileserver:445  --forward smb:0.0.0.0:445=fileserver:445"})
    List<Forward> forwards = new ArrayList<>();

    @Option(names = "--accelerate", paramLabel = "REGEX", converter = Converters.RegexConverter.class,
            description = {"Only destinations matching REGEX (host:port, and for plain HTTP the URL) use the tunnel; "
                + "the rest go direct. Default: everything uses the tunnel. Example: --accelerate '.*\\.corp\\.example:(445|443)'"})
    Pattern accelerate;

    @Option(names = "--transport", paramLabel = "auto|udp|tcp", defaultValue = "auto",
            description = {"Carrier to the far: udp (best on lossy long links), tcp (where UDP is blocked), or auto "
                + "(UDP, falling back to TCP). Default: ${DEFAULT-VALUE}. Example: --transport tcp"})
    NearConfig.Transport transport;

    @Option(names = "--state", paramLabel = "DIR", defaultValue = "${sys:user.home}/.wanx/near",
            description = "Local state (dictionary, path history), created if missing. Default: ${DEFAULT-VALUE}. Example: --state /var/lib/wanx")
    Path state;

    @Option(names = "--no-path-history", defaultValue = "false",
            description = {"Do not remember each path's rate (kept per far, local address prefix and interface under "
                + "STATE/paths) to start the next session near it. With history, a new UDP session on a known path "
                + "paces at half the learned rate from its first round trip and falls back at once if the path "
                + "disagrees. Default: ${DEFAULT-VALUE} (history on). Example: --no-path-history"})
    boolean noPathHistory;

    @Option(names = "--fail-forward-after", paramLabel = "DURATION", defaultValue = "1s",
            converter = Converters.DurationConverter.class,
            description = {"How long a new connection waits for the tunnel before going direct. "
                + "Default: ${DEFAULT-VALUE}. Examples: 500ms, 2s"})
    Duration failForwardAfter;

    @picocli.CommandLine.Mixin
    ReduceOptions reduce = new ReduceOptions();

    @picocli.CommandLine.Mixin
    SessionOptions session = new SessionOptions();

    /**
     * Checks what can be checked before starting: the options' combinations (exit 2) and both key files (exit 3).
     * Tests call this to check the argument-to-config mapping.
     */
    NearConfig buildConfig() throws IOException {
        if (httpProxy == null && socks == null && forwards.isEmpty()) {
            throw new ParameterException(spec.commandLine(),
                    "nothing to serve: give at least one of --http-proxy, --socks, --forward");
        }
        if (socksUser != null && socksPassword == null) {
            throw new ParameterException(spec.commandLine(),
                    "--socks-user needs a password: set WANX_SOCKS_PASSWORD (or --socks-password)");
        }
        if (socksPassword != null && socksUser == null) {
            throw new ParameterException(spec.commandLine(), "--socks-password given without --socks-user");
        }
        if ((socksUser != null) && socks == null) {
            throw new ParameterException(spec.commandLine(), "--socks-user given without --socks");
        }
        if (socksUser != null && (socksUser.length() > 255 || socksPassword.length() > 255)) {
            // RFC 1929 carries each in one length byte
            throw new ParameterException(spec.commandLine(), "SOCKS username and password are limited to 255 bytes");
        }
        if (failForwardAfter.isNegative()) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--fail-forward-after': must not be negative");
        }
        KeyFiles.readPrivate(key);
        KeyFiles.readPublic(peerKey);
        peers = expandPeers(peerArgs);
        return new NearConfig(List.copyOf(peers), peerKey, key, httpProxy, socks, socksUser, socksPassword,
                List.copyOf(forwards), accelerate, transport, state, failForwardAfter,
                reduce.settings(state), !noPathHistory, policySources(), session.sessionBudget);
    }

    /** The near-policy keys the user set (a far's push does not change those), with where from. */
    Map<String, String> policySources() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        String[][] keys = {{"accelerate", "--accelerate"}, {"reduce", "--no-reduce"}, {"fail-forward-after", "--fail-forward-after"}};
        for (String[] k : keys) {
            String from = sourceOf(k[1]);
            if (from != null) out.put(k[0], from);
        }
        return out;
    }

    /** "command line", "environment", "conf file", or null when the option has its built-in default. */
    private String sourceOf(String option) {
        CommandLine cl = spec.commandLine();
        if (cl.getParseResult() != null && cl.getParseResult().hasMatchedOption(option)) return EffectivePolicy.COMMAND_LINE;
        OptionSpec o = spec.findOption(option);
        return o != null && spec.defaultValueProvider() instanceof ConfigDefaults d ? d.sourceOf(o) : null;
    }

    @Override public Integer call() throws Exception {
        NearConfig config = buildConfig();
        NearServer server;
        try {
            server = NearServer.start(config);
        } catch (IOException | RuntimeException e) {
            List<InetSocketAddress> addrs = new ArrayList<>();
            if (config.httpProxy() != null) addrs.add(config.httpProxy());
            if (config.socks() != null) addrs.add(config.socks());
            for (Forward f : config.forwards()) addrs.add(f.listen());
            throw Failures.startFailure("near", e, addrs.toArray(new InetSocketAddress[0]));
        }
        LOG.info("near started: " + describe(config));
        Servers.closeOnSignal(server, "near");
        server.awaitClose();
        return ExitCodes.OK;
    }

    /** HOST:PORT values as they are; any other value must be a readable file of HOST:PORT lines. */
    private List<InetSocketAddress> expandPeers(List<String> values) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String v : values) {
            String s = v.trim();
            Path file = looksLikeAddress(s) ? null : Path.of(s);
            if (file == null) {
                out.add(convert(s, s));
                continue;
            }
            String text;
            try {
                text = java.nio.file.Files.readString(file);
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--peer': '" + s
                        + "' is neither HOST:PORT nor a readable file (" + Failures.describe(e) + ")");
            }
            try {
                out.addAll(FleetSource.parseLines(text, l -> {
                    if (l.split("\\s+").length > 1) {
                        throw new IllegalArgumentException("one HOST:PORT per line (every seed uses --peer-key; a far's "
                                + "--fleet-file can give members their own key)");
                    }
                    return Converters.peer(l);
                }));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--peer': " + s + " " + e.getMessage());
            }
        }
        if (out.isEmpty()) throw new ParameterException(spec.commandLine(), "Invalid value for option '--peer': no far address given");
        return List.copyOf(out);
    }

    private InetSocketAddress convert(String hostPort, String where) {
        try {
            return Converters.peer(hostPort);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--peer': " + where + ": " + e.getMessage());
        }
    }

    /** HOST:PORT or [V6]:PORT with a numeric port (a file name rarely ends so; an existing file wins anyway). */
    private static boolean looksLikeAddress(String s) {
        if (java.nio.file.Files.isRegularFile(Path.of(s))) return false;
        return s.matches(".*:[0-9]+");
    }

    static String describe(NearConfig c) {
        StringBuilder sb = new StringBuilder();
        if (c.httpProxy() != null) sb.append("http-proxy ").append(addr(c.httpProxy())).append(", ");
        if (c.socks() != null) sb.append("socks ").append(addr(c.socks())).append(", ");
        for (Forward f : c.forwards()) {
            sb.append("forward ").append(f.hint().name().toLowerCase(java.util.Locale.ROOT)).append(':')
              .append(addr(f.listen())).append('=').append(f.host()).append(':').append(f.port()).append(", ");
        }
        sb.append("peer");
        for (InetSocketAddress p : c.peers()) sb.append(' ').append(addr(p));
        return sb.append(", transport ").append(c.transport().name().toLowerCase(java.util.Locale.ROOT)).toString();
    }

    static String addr(InetSocketAddress a) {
        String h = a.getHostString();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort();
    }
}
