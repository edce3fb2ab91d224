package dev.wanx.near;

import dev.wanx.discovery.Announcement;
import dev.wanx.discovery.FarChooser;
import dev.wanx.discovery.FleetMember;
import dev.wanx.transport.FrameLink;
import dev.wanx.transport.TunnelSession;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One probe round: the handshake goes to every candidate at once, each answer (its RTT, its announced load) goes
 * to a {@link FarChooser}, the chosen far's link becomes the session and every other link is closed at once (the
 * fars drop their half of it). Completes {@code result} with the session, or with the failures of all.
 */
final class ProbeRound {
    /** One address to probe, with the key to expect there. */
    record Target(String label, InetSocketAddress address, byte[] key) { }

    /** A far's answer: its link and what it announced (null from a far that announces nothing we can read). */
    private record Answered(FrameLink link, Announcement announcement) { }

    /** Makes the chosen far's link the session, with the announcement the round decoded and the reason for the choice. */
    @FunctionalInterface
    interface Binder {
        TunnelSession bind(FrameLink link, Announcement announcement, String reason);
    }

    private final List<Target> targets;
    private final CarrierConnector connector;
    private final ScheduledExecutorService timer;
    private final ProbeLog log;
    private final Binder bind;
    private final CompletableFuture<TunnelSession> result;
    private final FarChooser<Target> chooser;
    private final Map<Target, Answered> waiting = new LinkedHashMap<>();
    private final StringBuilder errors = new StringBuilder();
    private long startNs;

    ProbeRound(List<Target> targets, CarrierConnector connector, ScheduledExecutorService timer, ProbeLog log,
               Binder bind, CompletableFuture<TunnelSession> result) {
        this.targets = targets;
        this.connector = connector;
        this.timer = timer;
        this.log = log;
        this.bind = bind;
        this.result = result;
        this.chooser = targets.isEmpty() ? null : new FarChooser<>(targets.size());
    }

    /** Expands names to all their addresses (blocking DNS: call off the event loops); failures go to the log. */
    static List<Target> resolve(List<FleetMember> members, byte[] defaultKey, ProbeLog log) {
        List<Target> out = new ArrayList<>();
        for (FleetMember m : members) {
            String host = m.address().host();
            try {
                for (InetAddress a : InetAddress.getAllByName(host)) {
                    String label = m.address().toString();
                    if (!a.getHostAddress().equals(host)) label += " (" + a.getHostAddress() + ")";
                    Target t = new Target(label, new InetSocketAddress(a, m.address().port()), m.keyOr(defaultKey));
                    if (out.stream().noneMatch(o -> o.address().equals(t.address()))) out.add(t);
                }
            } catch (UnknownHostException e) {
                log.record(new ProbeLog.Result(m.address().toString(), System.currentTimeMillis(), -1, -1, "", "does not resolve"));
            }
        }
        return out;
    }

    void start() {
        if (chooser == null) {
            result.completeExceptionally(new IOException("no far address resolves"));
            return;
        }
        startNs = System.nanoTime();
        for (Target t : targets) {
            CompletableFuture<FrameLink> f;
            try {
                f = connector.connect(t.address(), t.key());
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((link, err) -> onProbe(t, link, err));
        }
    }

    private synchronized void onProbe(Target t, FrameLink link, Throwable err) {
        long now = System.nanoTime();
        FarChooser.Choice<Target> choice;
        if (err != null) {
            String why = SessionManager.rootMessage(err);
            log.record(new ProbeLog.Result(t.label(), System.currentTimeMillis(), -1, -1, "", why));
            errors.append(errors.length() == 0 ? "" : "; ").append(why);
            choice = chooser.onFailure();
            if (choice == null && chooser.allFailed()) result.completeExceptionally(new IOException(errors.toString()));
        } else {
            Announcement a = Announcement.decode(link.farAnnouncement());
            int load = a == null ? -1 : a.loadPercent();
            long rtt = now - startNs;
            log.record(new ProbeLog.Result(t.label(), System.currentTimeMillis(), TimeUnit.NANOSECONDS.toMillis(rtt), load,
                    a == null ? "" : a.configVersion(), "answered"));
            if (chooser.decided()) {
                link.close("another far was chosen");
                return;
            }
            waiting.put(t, new Answered(link, a));
            choice = chooser.onAnswer(new FarChooser.Answer<>(t, rtt, load), now);
            if (choice == null && chooser.deadlineNs() != Long.MAX_VALUE) {
                timer.schedule(this::onDeadline, Math.max(0, chooser.deadlineNs() - now), TimeUnit.NANOSECONDS);
            }
        }
        if (choice != null) take(choice);
    }

    private synchronized void onDeadline() {
        FarChooser.Choice<Target> choice = chooser.onDeadline(System.nanoTime());
        if (choice != null) take(choice);
    }

    private void take(FarChooser.Choice<Target> choice) {
        Target chosen = choice.answer().far();
        Answered answer = waiting.remove(chosen);
        waiting.values().forEach(w -> w.link().close("another far was chosen"));
        waiting.clear();
        log.outcome(chosen.label(), "chosen");
        TunnelSession s = bind.bind(answer.link(), answer.announcement(), choice.reason());
        if (!result.complete(s)) s.close("near shutting down");
    }
}
