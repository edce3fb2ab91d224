package dev.wanx.far;

import dev.wanx.discovery.FleetMember;
import java.nio.file.Path;
import java.util.List;

/**
 * What a far tells nears about the fleet and itself in every handshake reply.
 *
 * @param members  fleet members from the command line (--fleet)
 * @param file     a fleet file re-read when it changes (--fleet-file), or null
 * @param capacity sessions this far is sized for (--capacity); 0 = not set (load is not reported)
 */
public record FleetSettings(List<FleetMember> members, Path file, int capacity) {
    public static final FleetSettings NONE = new FleetSettings(List.of(), null, 0);

    public FleetSettings {
        members = List.copyOf(members);
        if (capacity < 0) throw new IllegalArgumentException("capacity must not be negative");
    }

    /** Load as announced: percent of capacity, capped at 100; -1 without a capacity. */
    public int loadPercent(int sessions) {
        return capacity == 0 ? -1 : (int) Math.min(100, sessions * 100L / capacity);
    }
}
