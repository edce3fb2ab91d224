package dev.wanx.reduce;

/**
 * Why a stream direction was (or was not) reduced; carried in its END record and in stats.
 * <ul>
 * <li>REDUCED: chunked, learned, references sent for chunks the peer has.</li>
 * <li>COMPRESSED_ONLY: chunked and learned, but nothing was known yet (cold); literals zstd'd where it paid.</li>
 * <li>NOT_LEARNED_ENCRYPTED: TLS record header at stream start, or high entropy without any repeat in the first
 *     window; passed as raw literals, not chunked, not stored (ciphertext never repeats).</li>
 * <li>NOT_LEARNED_COMPRESSED: an already-compressed object (zip/gzip/zstd/xz/7z/rar/JPEG/PNG/MP4 signature near
 *     the start). Despite the name it IS chunked, learned and referenced (a second fetch of the same JPEG is
 *     reduced); what is skipped is zstd on its literals, which cannot pay. The name says "not compressed again".</li>
 * </ul>
 */
public enum Reason {
    REDUCED(1), COMPRESSED_ONLY(2), NOT_LEARNED_ENCRYPTED(3), NOT_LEARNED_COMPRESSED(4);

    public final int code;

    Reason(int code) { this.code = code; }

    public static Reason fromCode(int c) {
        for (Reason r : values()) if (r.code == c) return r;
        return COMPRESSED_ONLY;
    }
}
