package dev.wanx.cli;

import dev.wanx.reduce.Sizes;
import dev.wanx.transport.session.MuxOptions;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** Tunnel-session options shared by `near` and `far` (a picocli mixin). */
final class SessionOptions {
    /** Must say what {@code MuxOptions.defaults().sessionBudget()} is (an annotation needs a constant). */
    static final String DEFAULT_BUDGET = "64M";
    static final String MIN_BUDGET = (MuxOptions.INITIAL_WINDOW >> 20) + "M";
    static final String MAX_BUDGET = (MuxOptions.MAX_SESSION_BUDGET >> 40) + "T";

    @Option(names = "--session-budget", paramLabel = "SIZE", defaultValue = DEFAULT_BUDGET, converter = BudgetConverter.class,
            description = {"Memory one tunnel session may hold on this end: data received from the peer and not yet "
                + "delivered to the apps (near) or the servers (far), at most twice the budget (the session credit this "
                + "end grants). Larger helps many parallel bulk streams on a long fat link; smaller suits small devices. "
                + "Below 16M it also caps each stream's window. At least 1M. A peer from before session credit is held "
                + "by its streams' windows instead: each starts with 1M of twice the budget, so past 128 streams at 64M "
                + "it is refused more and those connections go direct. Default: ${DEFAULT-VALUE}. "
                + "Example: --session-budget 256M"})
    long sessionBudget;

    /**
     * A size that {@link MuxOptions#withSessionBudget} takes. Checked while parsing, so a bad value from the command
     * line, the environment or the conf file is the same one-line usage error naming the option.
     */
    static final class BudgetConverter implements ITypeConverter<Long> {
        @Override public Long convert(String s) {
            long bytes;
            try {
                bytes = Sizes.parse(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + s + "' is not a size; expected at least " + MIN_BUDGET
                        + ", e.g. 64M, 256M, 1G");
            }
            if (bytes < MuxOptions.INITIAL_WINDOW) {
                throw new TypeConversionException("'" + s + "' is below the minimum, " + MIN_BUDGET
                        + " (the window every stream starts with)");
            }
            if (bytes > MuxOptions.MAX_SESSION_BUDGET) {
                throw new TypeConversionException("'" + s + "' is above the maximum, " + MAX_BUDGET);
            }
            return bytes;
        }
    }
}
