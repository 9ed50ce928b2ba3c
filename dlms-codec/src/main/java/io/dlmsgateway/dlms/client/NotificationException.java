package io.dlmsgateway.dlms.client;

import java.util.Objects;

/**
 * The one error {@link NotificationDecoder} throws: the APDU is no notification it can decode, with the reason.
 * Unchecked, so that a listener can treat every bad APDU alike; never anything else comes out of a decode.
 */
public final class NotificationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What kind of failure it was, so that a listener can count and react per kind. */
    public enum Reason {
        /** Bytes that break the APDU's grammar: truncated, trailing bytes, a bad length, a bad Data. */
        MALFORMED,
        /** A well-formed APDU of another kind (a GET response, a ded-ciphered APDU, ...) or an unsupported suite. */
        UNSUPPORTED,
        /** Ciphered by a system title no keys are known for. */
        UNKNOWN_SYSTEM_TITLE,
        /** Decryption or GMAC authentication failed: wrong keys, or the APDU was altered. */
        AUTHENTICATION_FAILED
    }

    private final Reason reason;

    public NotificationException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
