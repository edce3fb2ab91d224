package dev.wanx.discovery;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Picks the far to bind to from the answers of one probe round (every candidate got the handshake at once).
 * Answers arrive in RTT order, so the first far that is not near its capacity is the best by RTT and is taken at
 * once: session init stays one round trip. A far at or above {@link #FULL_PERCENT} of capacity is passed over
 * while others may still answer: the chooser waits up to one more of that far's RTT (at least
 * {@link #MIN_WAIT_NS}) for one that is not full, then takes the least loaded (ties: lowest RTT).
 * Pure state, driven with {@code nowNs}; not thread-safe (the caller serializes).
 */
public final class FarChooser<T> {
    public static final int FULL_PERCENT = 90;
    static final long MIN_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(50);

    /** One far's answer: its probe round trip and its announced load (-1: no capacity set, counts as empty). */
    public record Answer<T>(T far, long rttNs, int loadPercent) {
        boolean full() { return loadPercent >= FULL_PERCENT; }
    }

    /** The decision and a one-line reason for logs and status. */
    public record Choice<T>(Answer<T> answer, String reason) { }

    private final int candidates;
    private final List<Answer<T>> answers = new ArrayList<>();
    private int failures;
    private long deadlineNs = Long.MAX_VALUE;
    private Choice<T> choice;

    public FarChooser(int candidates) {
        if (candidates < 1) throw new IllegalArgumentException("no candidates");
        this.candidates = candidates;
    }

    /** An answer arrived; returns the choice if this decides it (the first decision only), else null. */
    public Choice<T> onAnswer(Answer<T> a, long nowNs) {
        if (choice != null) return null;
        answers.add(a);
        if (!a.full()) {
            return decide(new Choice<>(a, "lowest RTT (" + ms(a.rttNs()) + " ms) of " + candidates + " probed"
                    + (answers.size() > 1 ? ", faster ones near capacity" : "")));
        }
        if (deadlineNs == Long.MAX_VALUE) deadlineNs = nowNs + Math.max(a.rttNs(), MIN_WAIT_NS);
        return decideIfAllIn();
    }

    /** A candidate failed (no answer in time, refused); returns the choice if this decides it. */
    public Choice<T> onFailure() {
        if (choice != null) return null;
        failures++;
        return decideIfAllIn();
    }

    /** The wait for a not-full far ran out; returns the choice if there is one to make. */
    public Choice<T> onDeadline(long nowNs) {
        if (choice != null || answers.isEmpty() || nowNs - deadlineNs < 0) return null;
        return leastLoaded();
    }

    /** When to call {@link #onDeadline}, or Long.MAX_VALUE when no wait is running. */
    public long deadlineNs() { return choice == null ? deadlineNs : Long.MAX_VALUE; }

    /** True once every candidate failed without any answer: the probe round failed. */
    public boolean allFailed() { return failures == candidates; }

    public boolean decided() { return choice != null; }

    private Choice<T> decideIfAllIn() {
        if (answers.size() + failures < candidates || answers.isEmpty()) return null;
        return leastLoaded();
    }

    private Choice<T> leastLoaded() {
        Answer<T> best = answers.stream()
                .min(Comparator.<Answer<T>>comparingInt(Answer::loadPercent).thenComparingLong(Answer::rttNs)).orElseThrow();
        return decide(new Choice<>(best, "every answering far near capacity: least loaded (" + best.loadPercent() + " %, "
                + ms(best.rttNs()) + " ms) of " + answers.size() + " answers"));
    }

    private Choice<T> decide(Choice<T> c) {
        choice = c;
        return c;
    }

    private static long ms(long ns) { return TimeUnit.NANOSECONDS.toMillis(ns); }
}
