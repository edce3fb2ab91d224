package dev.wanx.far;

import dev.wanx.reduce.ReduceSettings;
import dev.wanx.transport.session.MuxOptions;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything `wanx far` needs, parsed and validated by the CLI.
 *
 * @param listen      address for both carriers (UDP and TCP on the same port number)
 * @param key         the far's private key file
 * @param authorized  a .pub file, a file of "BASE64KEY name" lines, or a directory of .pub files
 * @param allow       egress exceptions, e.g. "10.0.0.0/8", "192.168.1.5/32:445", "127.0.0.1/32:8000-8100"
 * @param stateDir    local state (dictionary, fleet)
 * @param connectTimeout origin dial timeout
 * @param reduce      data reduction (whether reduced streams are accepted, dictionary location)
 * @param warmRoot    directory whose files `wanx warm` may ask for (null: far-side warming is off)
 * @param pathHistory remember each near's path rate under stateDir/paths and start its next session near it
 * @param nearPolicy  the near-side policy file pushed to every near and re-read when it changes (null: none pushed)
 * @param fleet       the fleet and capacity announced to nears
 * @param sessionBudget bytes a near's session may hold here, received and not yet written to origins
 *                    ({@link MuxOptions#withSessionBudget} says which values work)
 */
public record FarConfig(InetSocketAddress listen, Path key, Path authorized, List<String> allow,
                        Path stateDir, Duration connectTimeout, ReduceSettings reduce, Path warmRoot, boolean pathHistory,
                        Path nearPolicy, FleetSettings fleet, long sessionBudget) {
    /** With the default session budget. */
    public FarConfig(InetSocketAddress listen, Path key, Path authorized, List<String> allow,
                     Path stateDir, Duration connectTimeout, ReduceSettings reduce, Path warmRoot, boolean pathHistory,
                     Path nearPolicy, FleetSettings fleet) {
        this(listen, key, authorized, allow, stateDir, connectTimeout, reduce, warmRoot, pathHistory, nearPolicy, fleet,
                MuxOptions.defaults().sessionBudget());
    }

    /** Without a fleet. */
    public FarConfig(InetSocketAddress listen, Path key, Path authorized, List<String> allow,
                     Path stateDir, Duration connectTimeout, ReduceSettings reduce, Path warmRoot, boolean pathHistory,
                     Path nearPolicy) {
        this(listen, key, authorized, allow, stateDir, connectTimeout, reduce, warmRoot, pathHistory, nearPolicy, FleetSettings.NONE);
    }

    /** Without a near policy or a fleet. */
    public FarConfig(InetSocketAddress listen, Path key, Path authorized, List<String> allow,
                     Path stateDir, Duration connectTimeout, ReduceSettings reduce, Path warmRoot, boolean pathHistory) {
        this(listen, key, authorized, allow, stateDir, connectTimeout, reduce, warmRoot, pathHistory, null, FleetSettings.NONE);
    }

    /** With path history on (when there is a state folder). */
    public FarConfig(InetSocketAddress listen, Path key, Path authorized, List<String> allow,
                     Path stateDir, Duration connectTimeout, ReduceSettings reduce, Path warmRoot) {
        this(listen, key, authorized, allow, stateDir, connectTimeout, reduce, warmRoot, true);
    }

    /** Without far-side warming. */
    public FarConfig(InetSocketAddress listen, Path key, Path authorized, List<String> allow,
                     Path stateDir, Duration connectTimeout, ReduceSettings reduce) {
        this(listen, key, authorized, allow, stateDir, connectTimeout, reduce, null);
    }
}
