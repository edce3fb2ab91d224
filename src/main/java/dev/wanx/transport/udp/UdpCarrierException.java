package dev.wanx.transport.udp;

/** Why a UDP carrier failed or closed: handshake timeout, idle timeout, peer close, socket error. */
public class UdpCarrierException extends java.io.IOException {
    public UdpCarrierException(String message) { super(message); }

    public UdpCarrierException(String message, Throwable cause) { super(message, cause); }
}
