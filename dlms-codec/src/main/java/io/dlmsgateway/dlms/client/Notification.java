package io.dlmsgateway.dlms.client;

import io.dlmsgateway.dlms.CosemAttribute;
import io.dlmsgateway.dlms.CosemDateTime;
import io.dlmsgateway.dlms.DlmsValue;
import java.util.Objects;
import java.util.Optional;

/**
 * One notification APDU a meter pushed, decoded by {@link NotificationDecoder}: a DataNotification or an
 * EventNotificationRequest, deciphered when it came general-glo-ciphered.
 *
 * @param kind              which APDU it was
 * @param invokeId          the DataNotification's long-invoke-id-and-priority (0 for an event notification)
 * @param dateTime          the date-time it carries, when it carries one
 * @param attribute         the attribute an EventNotificationRequest reports; empty for a DataNotification
 * @param body              the notification-body (DataNotification) or attribute-value (EventNotificationRequest)
 * @param systemTitle       the sender's system title when it came general-glo-ciphered (8 octets), else empty
 * @param invocationCounter the ciphered APDU's invocation counter, -1 when it was not ciphered
 */
public record Notification(Kind kind, long invokeId, Optional<CosemDateTime> dateTime,
                           Optional<CosemAttribute> attribute, DlmsValue body, Optional<byte[]> systemTitle,
                           long invocationCounter) {

    /** The APDU a notification came as. */
    public enum Kind {
        /** data-notification, tag 0x0F. */
        DATA_NOTIFICATION,
        /** event-notification-request, tag 0xC2. */
        EVENT_NOTIFICATION
    }

    public Notification {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(dateTime, "dateTime");
        Objects.requireNonNull(attribute, "attribute");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(systemTitle, "systemTitle");
        systemTitle = systemTitle.map(byte[]::clone);
    }

    /** True when it came general-glo-ciphered (and was decrypted and authenticated). */
    public boolean ciphered() {
        return systemTitle.isPresent();
    }

    @Override
    public Optional<byte[]> systemTitle() {
        return systemTitle.map(byte[]::clone);
    }
}
