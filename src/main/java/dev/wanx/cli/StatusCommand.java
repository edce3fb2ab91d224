package dev.wanx.cli;

import dev.wanx.near.status.ControlSocket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wanx status}: asks a running near what it is doing. */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show what a running near is doing.",
            "The session (far, carrier, RTT, loss, rate, FEC, why that far was chosen), the fleet with each far's last "
                + "probe, the policy in force with where each value comes from (command line, environment, conf file, "
                + "the far's push, default), and the open streams with their data-reduction reason codes. Asks the near "
                + "through its control socket STATE/near.sock (only the state folder's owner can).",
            "Examples:",
            "  wanx status",
            "  wanx status --state /var/lib/wanx/near --json | jq .session.rttMs", ""},
        footer = ExitCodes.FOOTER)
final class StatusCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--state", paramLabel = "DIR", defaultValue = "${sys:user.home}/.wanx/near",
            description = "The near's --state folder. Default: ${DEFAULT-VALUE}. Example: --state /var/lib/wanx/near")
    Path state;

    @Option(names = "--json", defaultValue = "false",
            description = "Print JSON (for scripts) instead of text. Default: ${DEFAULT-VALUE}. Example: --json")
    boolean json;

    @Override public Integer call() {
        Path socket = state.resolve(ControlSocket.FILE);
        if (!Files.exists(socket)) {
            throw new CliException(ExitCodes.RUNTIME, "no near is running with state " + state + " (no " + socket
                    + "); give the near's --state");
        }
        String answer;
        try {
            answer = ControlSocket.ask(socket, json ? "status json" : "status text");
        } catch (IOException e) {
            throw new CliException(ExitCodes.RUNTIME, "the near at " + socket + " does not answer (" + Failures.describe(e)
                    + "); is it still running?");
        }
        if (answer.startsWith("error: ")) throw new CliException(ExitCodes.RUNTIME, answer.strip());
        spec.commandLine().getOut().print(answer);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
