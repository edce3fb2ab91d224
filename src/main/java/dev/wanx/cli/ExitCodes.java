package dev.wanx.cli;

/**
 * Exit codes a script can rely on. They are part of the CLI's contract (documented in every --help footer and in
 * docs/USAGE.md): change them only with a major version.
 */
public final class ExitCodes {
    /** Finished normally (or, for servers, shut down by SIGTERM/SIGINT). */
    public static final int OK = 0;
    /** Failed at run time: peer unreachable in a self-test, an unexpected error. */
    public static final int RUNTIME = 1;
    /** Bad flag or bad value on the command line, in the environment or in the conf file. */
    public static final int USAGE = 2;
    /** A key file, authorized-keys file or conf file is missing, unreadable or malformed. */
    public static final int KEY_OR_CONFIG = 3;
    /** A listen address cannot be bound (in use, not local, or needs privileges). */
    public static final int CANNOT_BIND = 4;

    /** The text shown at the end of every command's --help. */
    static final String FOOTER = "%nExit codes: 0 ok, 1 runtime failure, 2 usage error (bad flag or value), "
            + "3 key or config file problem, 4 cannot bind/listen.%n"
            + "Defaults: command line > environment (WANX_<COMMAND>_<OPTION>) > --config file "
            + "(<command>.<option>) > built-in.";

    private ExitCodes() { }
}
