package io.dlmsgateway.fleet;

import io.dlmsgateway.dlms.CosemAttribute;
import io.dlmsgateway.dlms.CosemDateTime;
import io.dlmsgateway.dlms.DlmsValue;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One notification a meter pushed: a DataNotification (its body, usually a structure of the push object list's
 * values) or an EventNotificationRequest (one attribute's value).
 *
 * @param device    the device it was matched to
 * @param peer      where the connection came from
 * @param kind      DataNotification or EventNotificationRequest
 * @param invokeId  the long-invoke-id-and-priority of a DataNotification (0 for an event notification)
 * @param dateTime  the date-time the notification carries, when it carries one
 * @param time      that date-time as an instant (the device's deviation sign and offset applied), when it names one
 * @param attribute the attribute an EventNotificationRequest reports; empty for a DataNotification
 * @param body      the notification-body (DataNotification) or attribute-value (EventNotificationRequest)
 * @param ciphered  true when it came general-glo-ciphered and was decrypted and authenticated with the device's keys
 * @param received  when the listener decoded it
 */
public record PushNotification(String device, InetSocketAddress peer, Kind kind, long invokeId,
                               Optional<CosemDateTime> dateTime, Optional<Instant> time,
                               Optional<CosemAttribute> attribute, DlmsValue body, boolean ciphered, Instant received) {

    /** The APDU a notification came as. */
    public enum Kind {
        DATA_NOTIFICATION,
        EVENT_NOTIFICATION
    }

    public PushNotification {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(dateTime, "dateTime");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(attribute, "attribute");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(received, "received");
    }
}
