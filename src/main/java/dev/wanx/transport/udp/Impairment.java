package dev.wanx.transport.udp;

import io.netty.channel.socket.DatagramPacket;

import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Seeded, deterministic-per-seed impairment for system tests on loopback: random loss, bursts of
 * consecutive drops, fixed delay plus random jitter (which reorders), and duplicates. Same seed, same
 * decisions for the same sequence of packets (timing on a real loop may still differ).
 */
public final class Impairment implements DatagramFilter {
    private final Random rnd;
    private final double loss;
    private final double burstChance;
    private final int burstLength;
    private final long delayNs;
    private final long jitterNs;
    private final double duplicate;
    private int burstLeft;
    public final AtomicLong dropped = new AtomicLong();
    public final AtomicLong duplicated = new AtomicLong();

    /**
     * @param loss        probability of dropping a packet
     * @param burstChance probability per packet of starting a burst of {@code burstLength} drops
     * @param delayNs     fixed one-way delay added
     * @param jitterNs    extra random delay in [0, jitter): later packets overtake earlier ones
     * @param duplicate   probability of delivering a packet twice
     */
    public Impairment(long seed, double loss, double burstChance, int burstLength, long delayNs, long jitterNs, double duplicate) {
        this.rnd = new Random(seed);
        this.loss = loss;
        this.burstChance = burstChance;
        this.burstLength = burstLength;
        this.delayNs = delayNs;
        this.jitterNs = jitterNs;
        this.duplicate = duplicate;
    }

    @Override
    public void filter(DatagramPacket p, Delivery d) {
        if (burstLeft == 0 && burstChance > 0 && rnd.nextDouble() < burstChance) {
            burstLeft = burstLength;
        }
        if (burstLeft > 0) {
            burstLeft--;
            dropped.incrementAndGet();
            d.dropped(p);
            return;
        }
        if (rnd.nextDouble() < loss) {
            dropped.incrementAndGet();
            d.dropped(p);
            return;
        }
        if (duplicate > 0 && rnd.nextDouble() < duplicate) {
            duplicated.incrementAndGet();
            deliver(p.retainedDuplicate(), d);
        }
        deliver(p, d);
    }

    private void deliver(DatagramPacket p, Delivery d) {
        long delay = delayNs + (jitterNs > 0 ? (long) (rnd.nextDouble() * jitterNs) : 0);
        if (delay <= 0) {
            d.now(p);
        } else {
            d.after(p, delay);
        }
    }
}
