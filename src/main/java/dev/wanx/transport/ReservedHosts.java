package dev.wanx.transport;

/**
 * Destinations that mean something to wanx itself rather than to the network. They use the RFC 2606
 * {@code .invalid} top-level domain, so they can never collide with a real host.
 */
public final class ReservedHosts {
    /** `wanx warm` of a far-side path: the far serves it from its --warm-root instead of dialing out. */
    public static final String WARM = "warm.wanx.invalid";
    /** Response header of the far's warm file server marking a directory listing (one relative path per line). */
    public static final String LISTING_HEADER = "X-Wanx-Listing";

    private ReservedHosts() { }
}
