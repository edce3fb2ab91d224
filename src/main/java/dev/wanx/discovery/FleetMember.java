package dev.wanx.discovery;

import dev.wanx.transport.HostPort;
import java.util.Arrays;
import java.util.Base64;

/**
 * One far of a fleet: where it listens and, when it differs from the near's {@code --peer-key}, its public key.
 * Written as a line {@code HOST:PORT [BASE64KEY]} in fleet files, the near's state and {@code --peer} files.
 *
 * @param key the far's X25519 public key (32 bytes), or null for "the near's --peer-key"
 */
public record FleetMember(HostPort address, byte[] key) {
    public FleetMember {
        if (key != null && key.length != 32) throw new IllegalArgumentException("a far key is 32 bytes, not " + key.length);
        key = key == null ? null : key.clone();
    }

    /** Parses {@code HOST:PORT [BASE64KEY]}; IllegalArgumentException with the reason on anything else. */
    public static FleetMember parse(String line) {
        String[] parts = line.trim().split("\\s+");
        if (parts.length == 0 || parts[0].isEmpty() || parts.length > 2) {
            throw new IllegalArgumentException("'" + line.trim() + "': expected HOST:PORT [BASE64KEY]");
        }
        byte[] key = null;
        if (parts.length == 2) {
            try {
                key = Base64.getDecoder().decode(parts[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + line.trim() + "': the key is not base64");
            }
            if (key.length != 32) throw new IllegalArgumentException("'" + line.trim() + "': the key is not 32 bytes");
        }
        return new FleetMember(HostPort.parse(parts[0]), key);
    }

    /** The key to use: this member's own, or {@code fallback} (the near's --peer-key). */
    public byte[] keyOr(byte[] fallback) { return key != null ? key.clone() : fallback; }

    @Override public byte[] key() { return key == null ? null : key.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof FleetMember m && m.address.equals(address) && Arrays.equals(m.key, key);
    }

    @Override public int hashCode() { return address.hashCode() * 31 + Arrays.hashCode(key); }

    /** The line form, which {@link #parse} reads back. */
    @Override public String toString() {
        return key == null ? address.toString() : address + " " + Base64.getEncoder().encodeToString(key);
    }
}
