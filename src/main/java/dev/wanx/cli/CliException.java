package dev.wanx.cli;

/**
 * A failure that the CLI reports as one line with a chosen exit code. Commands throw it for problems they can
 * explain (a key file that cannot be read, a port in use); anything else is an unexpected runtime failure.
 */
public final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public CliException(int exitCode, String message) {
        this(exitCode, message, null);
    }

    public int exitCode() { return exitCode; }
}
