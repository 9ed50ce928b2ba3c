package io.dlmsgateway.dlms.sim;

import io.dlmsgateway.dlms.DlmsValue;
import java.util.Arrays;
import java.util.Objects;

/**
 * One DataNotification a simulated meter wrote to its push connection, as it went: what a listener must decode.
 *
 * @param meterIndex        the meter's index in its simulator
 * @param invokeId          the long-invoke-id-and-priority (the meter's notification number, from 1, in the low 24
 *                          bits)
 * @param dateTime          the 12 date-time octets of the header (the meter's own time, as its clock serves it)
 * @param body              the notification body: structure {logical device name, clock, active energy, voltage L1}
 * @param ciphered          whether it went general-glo-ciphered
 * @param invocationCounter the invocation counter it was ciphered with, -1 when plain
 */
public record SentNotification(int meterIndex, long invokeId, byte[] dateTime, DlmsValue body, boolean ciphered,
                               long invocationCounter) {

    public SentNotification {
        Objects.requireNonNull(dateTime, "dateTime");
        Objects.requireNonNull(body, "body");
        dateTime = dateTime.clone();
    }

    @Override
    public byte[] dateTime() {
        return dateTime.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SentNotification s && s.meterIndex == meterIndex && s.invokeId == invokeId
                && Arrays.equals(s.dateTime, dateTime) && s.body.equals(body) && s.ciphered == ciphered
                && s.invocationCounter == invocationCounter;
    }

    @Override
    public int hashCode() {
        return Objects.hash(meterIndex, invokeId, Arrays.hashCode(dateTime), body, ciphered, invocationCounter);
    }
}
