package dev.wanx.near.socks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** RFC 1929 username/password, compared in constant time so a wrong guess reveals nothing by timing. */
record Socks5Credentials(String user, String password) {
    boolean matches(String u, String p) {
        boolean userOk = MessageDigest.isEqual(bytes(user), bytes(u));
        boolean passOk = MessageDigest.isEqual(bytes(password), bytes(p));
        return userOk & passOk; // non-short-circuit: always compare both
    }

    private static byte[] bytes(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }

    @Override public String toString() { return "Socks5Credentials[user=" + user + "]"; }
}
