package dev.wanx.cli;

import dev.wanx.config.NearPolicy;
import dev.wanx.crypto.AuthorizedKeys;
import dev.wanx.crypto.KeyFiles;
import dev.wanx.far.EgressPolicy;
import dev.wanx.discovery.FleetMember;
import dev.wanx.discovery.FleetSource;
import dev.wanx.far.FarConfig;
import dev.wanx.far.FleetSettings;
import dev.wanx.transport.HostPort;
import dev.wanx.far.FarServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code wanx far}: the end next to the servers. */
@Command(name = "far", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the far end, next to the servers.",
            "Accepts tunnels from authorized near peers and dials the real servers for them. Unknown peers get no "
                + "answer at all. Loopback, link-local and private destinations are refused unless --allow names them. "
                + "Stops cleanly on SIGTERM/SIGINT (the JVM then exits with 143/130, as for any signal).",
            "Example:",
            "  wanx far --listen 0.0.0.0:7443 --key /etc/wanx/far.key \\",
            "           --authorized /etc/wanx/peers/ --allow 10.1.0.0/16:445", ""},
        footer = ExitCodes.FOOTER)
final class FarCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger("wanx.cli");

    @Spec CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:7443",
            converter = Converters.PublicListen.class,
            description = {"Where near peers connect: UDP and TCP on the same port. A bare PORT means every interface. "
                + "Default: ${DEFAULT-VALUE}. Example: --listen 203.0.113.7:7443"})
    InetSocketAddress listen;

    @Option(names = "--key", paramLabel = "FILE", required = true,
            description = "This far's private key (from `wanx keygen`, mode 0600). Required. Example: --key /etc/wanx/far.key")
    Path key;

    @Option(names = "--authorized", paramLabel = "FILE_OR_DIR", required = true,
            description = {"Near public keys allowed in: a NAME.pub file, a file of 'BASE64KEY name' lines, or a directory of *.pub. "
                + "Required. Example: --authorized /etc/wanx/peers/"})
    Path authorized;

    @Option(names = "--allow", paramLabel = "CIDR[:PORTS]", split = "\\s+", hideParamSyntax = true,
            description = {"Egress exception for a denied range (loopback, private, link-local); repeatable. Default: none. "
                + "Examples: --allow 10.0.0.0/8  --allow 192.168.1.5/32:445  --allow 127.0.0.1/32:8000-8100"})
    List<String> allow = new ArrayList<>();

    @Option(names = "--state", paramLabel = "DIR", defaultValue = "${sys:user.home}/.wanx/far",
            description = "Local state (dictionary, path history), created if missing. Default: ${DEFAULT-VALUE}. Example: --state /var/lib/wanx")
    Path state;

    @Option(names = "--no-path-history", defaultValue = "false",
            description = {"Do not remember each near's path rate (kept per near key and address prefix under "
                + "STATE/paths) to start its next UDP session near it (half the learned rate, validated in the first "
                + "round trips). Default: ${DEFAULT-VALUE} (history on). Example: --no-path-history"})
    boolean noPathHistory;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = Converters.DurationConverter.class,
            description = "How long to wait for a real server to accept. Default: ${DEFAULT-VALUE}. Examples: 3s, 1500ms, PT2S")
    Duration connectTimeout;

    @Option(names = "--warm-root", paramLabel = "DIR",
            description = "Lets `wanx warm PATH` on a near read files under DIR (and only there) and send them through, "
                    + "so both dictionaries learn them before users need them. Default: off. Example: --warm-root /srv/share")
    Path warmRoot;

    @Option(names = "--fleet", paramLabel = "HOST:PORT[,...]", split = ",", hideParamSyntax = true,
            description = {"The fleet of fars (this one included) that nears may use: told to every near in its handshake "
                + "reply, remembered by the near and probed at its next session, so nears find new fars with no restart. "
                + "Members here use the nears' --peer-key; see --fleet-file for members with their own key. "
                + "Default: none (nears keep their --peer list). Example: --fleet fra.example.net:7443,ams.example.net:7443"})
    List<String> fleet = new ArrayList<>();

    @Option(names = "--fleet-file", paramLabel = "FILE",
            description = {"Fleet members, one 'HOST:PORT [BASE64KEY]' per line (# comments), added to --fleet. Re-read "
                + "when it changes: a far added is announced to the very next near session, a far removed is not chosen "
                + "again. A bad edit keeps the last good fleet (logged). Default: none. Example: --fleet-file /etc/wanx/fleet"})
    Path fleetFile;

    @Option(names = "--capacity", paramLabel = "SESSIONS", defaultValue = "0",
            description = {"Near sessions this far is sized for. Its load (sessions ÷ capacity) goes in every handshake "
                + "reply, and nears probing several fars pass over one at 90 %% or more. Default: ${DEFAULT-VALUE} (not set: "
                + "load not reported). Example: --capacity 500"})
    int capacity;

    @Option(names = "--near-policy", paramLabel = "FILE",
            description = {"Near-side policy pushed to every near at session start and again whenever FILE changes "
                + "(checked every second): 'key = value' lines for accelerate, reduce, fail-forward-after, fec "
                + "(see docs/USAGE.md). A near's own explicit options win. An invalid edit is logged and the last good "
                + "policy stays. Default: none (nears use their own settings). Example: --near-policy /etc/wanx/near-policy.conf"})
    Path nearPolicy;

    @picocli.CommandLine.Mixin
    ReduceOptions reduce = new ReduceOptions();

    @picocli.CommandLine.Mixin
    SessionOptions session = new SessionOptions();

    /**
     * Validates everything that can be checked without starting the server: key files and the near policy (exit 3)
     * and --allow entries (exit 2). Tests call this to check the argument-to-config mapping.
     */
    FarConfig buildConfig() throws IOException {
        KeyFiles.readPrivate(key);
        AuthorizedKeys.load(authorized);
        try {
            EgressPolicy.parse(allow);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--allow': " + e.getMessage());
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--connect-timeout': must be positive");
        }
        if (warmRoot != null && !java.nio.file.Files.isDirectory(warmRoot)) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--warm-root': " + warmRoot + " is not a directory");
        }
        if (capacity < 0) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--capacity': must not be negative");
        }
        List<FleetMember> members = new ArrayList<>();
        for (String f : fleet) {
            try {
                members.add(new FleetMember(HostPort.parse(f.trim()), null));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--fleet': " + e.getMessage());
            }
        }
        if (fleetFile != null) {
            try {
                FleetSource.read(fleetFile);
            } catch (IOException | IllegalArgumentException e) {
                throw new CliException(ExitCodes.KEY_OR_CONFIG, "fleet file " + fleetFile + ": "
                        + (e instanceof IllegalArgumentException ? e.getMessage() : Failures.describe(e)));
            }
        }
        if (nearPolicy != null) {
            try {
                NearPolicy.load(nearPolicy);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new CliException(ExitCodes.KEY_OR_CONFIG, "near policy " + nearPolicy + ": no such file");
            } catch (IOException e) {
                throw new CliException(ExitCodes.KEY_OR_CONFIG, "near policy " + nearPolicy + ": cannot read (" + Failures.describe(e) + ")");
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCodes.KEY_OR_CONFIG, "near policy " + nearPolicy + ": " + e.getMessage());
            }
        }
        return new FarConfig(listen, key, authorized, List.copyOf(allow), state, connectTimeout, reduce.settings(state), warmRoot,
                !noPathHistory, nearPolicy, new FleetSettings(members, fleetFile, capacity), session.sessionBudget);
    }

    @Override public Integer call() throws Exception {
        FarConfig config = buildConfig();
        FarServer server;
        try {
            server = FarServer.start(config);
        } catch (IOException | RuntimeException e) {
            throw Failures.startFailure("far", e, config.listen());
        }
        LOG.info("far listening on " + config.listen().getHostString() + ":" + config.listen().getPort()
                + (allow.isEmpty() ? "" : ", egress also allowed to " + String.join(" ", allow)));
        Servers.closeOnSignal(server, "far");
        server.awaitClose();
        return ExitCodes.OK;
    }
}
