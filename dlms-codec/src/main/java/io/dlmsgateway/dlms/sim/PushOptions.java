package io.dlmsgateway.dlms.sim;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how the simulated meters push DataNotifications ({@link MeterSimulator#startPushing}).
 *
 * @param target               the listener every meter connects to (one connection per meter, kept open)
 * @param interval             time between two notifications of one meter; the first goes as soon as it is connected
 * @param ciphered             general-glo-ciphering with the meter's system title and the simulator's keys (suite 0,
 *                             authenticated encryption), as a HIGH_GMAC meter pushes; else plain
 * @param count                notifications per meter before it stops pushing (its connection stays open); 0 for
 *                             no end
 * @param maxInformationLength HDLC only: the largest information field of one UI frame; a longer APDU goes in
 *                             segments (at least 16, at most 2030)
 */
public record PushOptions(InetSocketAddress target, Duration interval, boolean ciphered, long count,
                          int maxInformationLength) {

    /** HDLC's default maximum information field length (IEC 62056-46). */
    public static final int DEFAULT_MAX_INFORMATION_LENGTH = 128;

    public PushOptions {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("push interval must be positive: " + interval);
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must be 0 (no end) or positive: " + count);
        }
        if (maxInformationLength < 16 || maxInformationLength > 2030) {
            throw new IllegalArgumentException("maxInformationLength out of range 16..2030: " + maxInformationLength);
        }
    }

    /** Plain notifications every {@code interval} without end. */
    public static PushOptions to(InetSocketAddress target, Duration interval) {
        return new PushOptions(target, interval, false, 0, DEFAULT_MAX_INFORMATION_LENGTH);
    }

    public PushOptions withCiphered(boolean value) {
        return new PushOptions(target, interval, value, count, maxInformationLength);
    }

    public PushOptions withCount(long value) {
        return new PushOptions(target, interval, ciphered, value, maxInformationLength);
    }

    public PushOptions withMaxInformationLength(int value) {
        return new PushOptions(target, interval, ciphered, count, value);
    }
}
