package dev.wanx.near;

import dev.wanx.reduce.ReduceSettings;
import dev.wanx.transport.session.MuxOptions;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Everything `wanx near` needs, already parsed and validated by the CLI.
 *
 * @param peers          far candidates (host:port), tried in parallel
 * @param peerKey        the far's public key file (X25519, base64 line)
 * @param key            this near's private key file
 * @param httpProxy      HTTP proxy listen address, or null for none
 * @param socks          SOCKS5 listen address, or null for none
 * @param socksUser      SOCKS5 username (RFC 1929), null for no auth
 * @param socksPassword  SOCKS5 password
 * @param forwards       static port forwards
 * @param accelerate     destinations (host:port, or URL for plain HTTP) that use the tunnel; null = all
 * @param transport      carrier choice
 * @param stateDir       local state (dictionary, path history, fleet)
 * @param failForwardAfter how long a dial waits for a session before going direct
 * @param reduce         data reduction (streams marked for it, dictionary location)
 * @param pathHistory    remember each path's rate under stateDir/paths and start the next session near it
 * @param policySources  the near-policy keys the user set here ("accelerate", "reduce", "fail-forward-after", "fec"),
 *                       each with where from ("command line", "environment", "conf file"): a far's pushed policy does
 *                       not change those; the others are defaults it may change
 * @param sessionBudget  bytes the session may hold here, received from the far and not yet written to apps
 *                       ({@link MuxOptions#withSessionBudget} says which values work)
 */
public record NearConfig(List<InetSocketAddress> peers, Path peerKey, Path key,
                         InetSocketAddress httpProxy, InetSocketAddress socks,
                         String socksUser, String socksPassword,
                         List<Forward> forwards, Pattern accelerate, Transport transport,
                         Path stateDir, Duration failForwardAfter, ReduceSettings reduce, boolean pathHistory,
                         Map<String, String> policySources, long sessionBudget) {

    public NearConfig {
        policySources = Map.copyOf(policySources);
    }

    /** With the default session budget. */
    public NearConfig(List<InetSocketAddress> peers, Path peerKey, Path key, InetSocketAddress httpProxy, InetSocketAddress socks,
                      String socksUser, String socksPassword, List<Forward> forwards, Pattern accelerate, Transport transport,
                      Path stateDir, Duration failForwardAfter, ReduceSettings reduce, boolean pathHistory,
                      Map<String, String> policySources) {
        this(peers, peerKey, key, httpProxy, socks, socksUser, socksPassword, forwards, accelerate, transport, stateDir,
                failForwardAfter, reduce, pathHistory, policySources, MuxOptions.defaults().sessionBudget());
    }

    /** Nothing set explicitly: a far's pushed policy applies to every key. */
    public NearConfig(List<InetSocketAddress> peers, Path peerKey, Path key, InetSocketAddress httpProxy, InetSocketAddress socks,
                      String socksUser, String socksPassword, List<Forward> forwards, Pattern accelerate, Transport transport,
                      Path stateDir, Duration failForwardAfter, ReduceSettings reduce, boolean pathHistory) {
        this(peers, peerKey, key, httpProxy, socks, socksUser, socksPassword, forwards, accelerate, transport, stateDir,
                failForwardAfter, reduce, pathHistory, Map.of());
    }

    /** With path history on (when there is a state folder). */
    public NearConfig(List<InetSocketAddress> peers, Path peerKey, Path key, InetSocketAddress httpProxy, InetSocketAddress socks,
                      String socksUser, String socksPassword, List<Forward> forwards, Pattern accelerate, Transport transport,
                      Path stateDir, Duration failForwardAfter, ReduceSettings reduce) {
        this(peers, peerKey, key, httpProxy, socks, socksUser, socksPassword, forwards, accelerate, transport, stateDir,
                failForwardAfter, reduce, true);
    }

    public enum Transport { AUTO, UDP, TCP }
}
