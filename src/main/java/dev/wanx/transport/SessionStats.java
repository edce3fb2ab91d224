package dev.wanx.transport;

/** A snapshot of one session's counters. rttMicros/lossRate/rateBps are 0 where a carrier does not measure them. */
public record SessionStats(long streamsOpen, long streamsTotal, long bytesSent, long bytesReceived,
                           long wireBytesSent, long wireBytesReceived, long rttMicros, double lossRate, long rateBps) {
}
