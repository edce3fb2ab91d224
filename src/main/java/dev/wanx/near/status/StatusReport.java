package dev.wanx.near.status;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.wanx.config.EffectivePolicy;
import dev.wanx.discovery.Announcement;
import dev.wanx.discovery.FleetMember;
import dev.wanx.near.ProbeLog;
import dev.wanx.near.SessionManager;
import dev.wanx.reduce.StreamStats;
import dev.wanx.transport.SessionStats;
import dev.wanx.transport.TunnelSession;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;

/**
 * What `wanx status` shows: the session (far, carrier, RTT, loss, rate, FEC, why this far), the fleet as this
 * near sees it with each far's last probe, the policy in force with the source of each value, and the open
 * streams with their reduction reason codes. One model (JSON, for scripts) and a text rendering of it.
 */
public final class StatusReport {
    private final SessionManager sessions;
    private final EffectivePolicy policy;
    private final StreamRegistry streams;

    public StatusReport(SessionManager sessions, EffectivePolicy policy, StreamRegistry streams) {
        this.sessions = sessions;
        this.policy = policy;
        this.streams = streams;
    }

    /** Answers a control-socket request: "status json" or "status text". */
    public String answer(String request) {
        return switch (request) {
            case "status json" -> new GsonBuilder().setPrettyPrinting().create().toJson(model()) + "\n";
            case "status text", "status" -> text(model());
            default -> "error: unknown request '" + request + "' (expected 'status text' or 'status json')\n";
        };
    }

    public JsonObject model() {
        JsonObject root = new JsonObject();
        root.addProperty("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        root.add("session", session());
        JsonObject fleet = new JsonObject();
        fleet.addProperty("source", sessions.fleet().source());
        JsonArray members = new JsonArray();
        for (FleetMember m : sessions.fleet().members()) members.add(m.address().toString());
        fleet.add("members", members);
        JsonArray probes = new JsonArray();
        for (ProbeLog.Result r : sessions.probes()) {
            JsonObject p = new JsonObject();
            p.addProperty("far", r.far());
            p.addProperty("at", Instant.ofEpochMilli(r.atMillis()).truncatedTo(ChronoUnit.SECONDS).toString());
            p.addProperty("outcome", r.outcome());
            if (r.rttMs() >= 0) p.addProperty("rttMs", r.rttMs());
            if (r.loadPercent() >= 0) p.addProperty("loadPercent", r.loadPercent());
            if (!r.configVersion().isEmpty()) p.addProperty("configVersion", r.configVersion());
            probes.add(p);
        }
        fleet.add("probes", probes);
        root.add("fleet", fleet);
        JsonObject config = new JsonObject();
        if (policy != null) {
            if (policy.pushed() != null) config.addProperty("pushedVersion", policy.pushed().version());
            JsonArray entries = new JsonArray();
            for (EffectivePolicy.Entry e : policy.entries()) {
                JsonObject o = new JsonObject();
                o.addProperty("key", e.key());
                o.addProperty("value", e.value());
                o.addProperty("source", e.source());
                entries.add(o);
            }
            config.add("entries", entries);
        }
        root.add("config", config);
        JsonArray list = new JsonArray();
        for (StreamRegistry.Entry e : streams.open()) {
            JsonObject o = new JsonObject();
            o.addProperty("id", e.id());
            o.addProperty("destination", e.destination());
            o.addProperty("ageSeconds", (System.currentTimeMillis() - e.startedMillis()) / 1000);
            StreamStats st = e.stats();
            if (st != null) {
                o.addProperty("reason", st.reason() == null ? "pending" : st.reason().name().toLowerCase(Locale.ROOT));
                if (st.why() != null) o.addProperty("why", st.why());
                o.addProperty("appBytesSent", st.appIn.get());
                o.addProperty("wireBytesSent", st.wireOut.get());
                o.addProperty("appBytesReceived", st.appOut.get());
                o.addProperty("wireBytesReceived", st.wireIn.get());
            } else {
                o.addProperty("reason", "not reduced");
            }
            list.add(o);
        }
        JsonObject s = new JsonObject();
        s.add("open", list);
        s.addProperty("unlisted", streams.unlisted());
        root.add("streams", s);
        return root;
    }

    private JsonObject session() {
        JsonObject o = new JsonObject();
        TunnelSession s = sessions.current();
        o.addProperty("up", s != null);
        if (s == null) {
            o.addProperty("note", "no tunnel: new connections go direct (fail-forward)");
            return o;
        }
        SessionStats st = s.stats();
        o.addProperty("far", s.peerName());
        o.addProperty("carrier", s.carrier());
        o.addProperty("reason", sessions.choiceReason());
        Announcement a = sessions.announcement();
        if (a != null && a.loadPercent() >= 0) o.addProperty("farLoadPercent", a.loadPercent());
        o.addProperty("rttMs", st.rttMicros() / 1000.0);
        o.addProperty("lossPercent", st.lossRate() * 100);
        o.addProperty("rateMbps", st.rateBps() / 1e6);
        o.addProperty("streamsOpen", st.streamsOpen());
        o.addProperty("streamsTotal", st.streamsTotal());
        o.addProperty("bytesSent", st.bytesSent());
        o.addProperty("bytesReceived", st.bytesReceived());
        o.addProperty("wireBytesSent", st.wireBytesSent());
        o.addProperty("wireBytesReceived", st.wireBytesReceived());
        if (st.heldBytes() >= 0 && st.creditLeft() >= 0) { // session credit in use both ways: what apps hold, what each end may still send
            o.addProperty("heldBytes", st.heldBytes());
            o.addProperty("farCreditLeft", st.peerCreditLeft());
            o.addProperty("nearCreditLeft", st.creditLeft());
        }
        JsonObject c = new JsonObject();
        for (Map.Entry<String, Long> e : s.carrierCounters().entrySet()) c.addProperty(e.getKey(), e.getValue());
        o.add("counters", c);
        return o;
    }

    /** The text rendering: sections, aligned, no more than a screen for a normal near. */
    static String text(JsonObject m) {
        StringBuilder sb = new StringBuilder();
        JsonObject s = m.getAsJsonObject("session");
        if (s.get("up").getAsBoolean()) {
            sb.append("session   ").append(s.get("far").getAsString()).append(" over ").append(s.get("carrier").getAsString())
              .append("  (").append(s.get("reason").getAsString()).append(")\n");
            sb.append(String.format(Locale.ROOT, "          rtt %.1f ms, loss %.2f %%, rate %.1f Mbit/s, streams %d open / %d total%s%n",
                    s.get("rttMs").getAsDouble(), s.get("lossPercent").getAsDouble(), s.get("rateMbps").getAsDouble(),
                    s.get("streamsOpen").getAsLong(), s.get("streamsTotal").getAsLong(),
                    s.has("farLoadPercent") ? ", far load " + s.get("farLoadPercent").getAsInt() + " %" : ""));
            JsonObject c = s.getAsJsonObject("counters");
            if (c.has("fecRepairsSent")) {
                sb.append(String.format(Locale.ROOT, "          fec: %d parity packets sent (%.1f %% of packets), %d holes filled here, "
                        + "%d by the far; losses %d random / %d congestion, %d frames re-sent%n",
                        c.get("fecRepairsSent").getAsLong(), percent(c.get("fecRepairsSent").getAsLong(), c.get("packetsSent").getAsLong()),
                        c.get("fecRecovered").getAsLong(), c.has("peerFilled") ? c.get("peerFilled").getAsLong() : 0,
                        c.get("lostRandom").getAsLong(), c.get("lostCongestion").getAsLong(),
                        c.get("framesRetransmitted").getAsLong()));
            }
            if (s.has("heldBytes")) {
                // Near twice the far's session budget held here and little left for the far: apps that stopped reading
                // hold the session's credit, and every download on it waits (raise --session-budget on the near).
                sb.append(String.format(Locale.ROOT, "          session credit: %.1f MiB received and not yet read by apps; "
                        + "the far may send %.1f MiB more, this near %.1f MiB%n", mib(s.get("heldBytes").getAsLong()),
                        mib(s.get("farCreditLeft").getAsLong()), mib(s.get("nearCreditLeft").getAsLong())));
            }
            if (c.has("pathMtuPayload")) {
                long probes = c.get("pmtuProbes").getAsLong();
                sb.append(String.format(Locale.ROOT, "          path MTU: %d-byte payloads (%d probe%s)%n",
                        c.get("pathMtuPayload").getAsLong(), probes, probes == 1 ? "" : "s"));
            }
        } else {
            sb.append("session   none: ").append(s.get("note").getAsString()).append('\n');
        }
        JsonObject f = m.getAsJsonObject("fleet");
        sb.append("fleet     ").append(f.getAsJsonArray("members").size()).append(" known (from ")
          .append(f.get("source").getAsString()).append(")\n");
        for (var e : f.getAsJsonArray("probes")) {
            JsonObject p = e.getAsJsonObject();
            String outcome = p.get("outcome").getAsString();
            boolean answered = p.has("rttMs");
            sb.append(String.format(Locale.ROOT, "          %-40s %-9s %7s %9s  %s%n", p.get("far").getAsString(),
                    answered ? outcome : "no answer", answered ? p.get("rttMs").getAsLong() + " ms" : "-",
                    p.has("loadPercent") ? "load " + p.get("loadPercent").getAsInt() + "%" : "",
                    (p.has("configVersion") ? "config " + p.get("configVersion").getAsString() + ", " : "")
                            + "at " + p.get("at").getAsString() + (answered ? "" : ": " + outcome)));
        }
        JsonObject c = m.getAsJsonObject("config");
        sb.append("config    ").append(c.has("pushedVersion") ? "far's version " + c.get("pushedVersion").getAsString() : "nothing pushed by a far").append('\n');
        if (c.has("entries")) {
            for (var e : c.getAsJsonArray("entries")) {
                JsonObject o = e.getAsJsonObject();
                sb.append(String.format(Locale.ROOT, "          %-20s %-30s %s%n", o.get("key").getAsString(), o.get("value").getAsString(),
                        o.get("source").getAsString()));
            }
        }
        JsonObject st = m.getAsJsonObject("streams");
        var open = st.getAsJsonArray("open");
        sb.append("streams   ").append(open.size() + st.get("unlisted").getAsLong()).append(" open through the tunnel\n");
        for (var e : open) {
            JsonObject o = e.getAsJsonObject();
            sb.append(String.format(Locale.ROOT, "          #%-5d %-36s %-16s %s%n", o.get("id").getAsLong(), o.get("destination").getAsString(),
                    o.get("reason").getAsString(), o.has("appBytesSent")
                            ? o.get("appBytesSent").getAsLong() + " B sent as " + o.get("wireBytesSent").getAsLong() + ", "
                              + o.get("appBytesReceived").getAsLong() + " B received as " + o.get("wireBytesReceived").getAsLong()
                            : ""));
        }
        return sb.toString();
    }

    private static double mib(long bytes) { return bytes / 1048576.0; }

    private static double percent(long part, long whole) { return whole == 0 ? 0 : 100.0 * part / whole; }
}
