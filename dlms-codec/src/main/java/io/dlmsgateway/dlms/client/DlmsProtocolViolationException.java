package io.dlmsgateway.dlms.client;

/**
 * The meter broke a bound this client keeps on what one meter may make it hold or do: bytes nobody asked for, a reply
 * longer than {@link DlmsClientSettings#maxReplyBytes()} (or than the read it answers may need), an exchange that
 * outlasts {@link DlmsClientSettings#exchangeTimeout()}, a reply nested deeper or claiming more elements than it
 * carries. The connection is closed; the message names the meter and the bound, and {@link #bound()} says which.
 */
public final class DlmsProtocolViolationException extends DlmsException {

    private static final long serialVersionUID = 1L;

    /** Which bound the meter broke. */
    public enum Bound {
        /** Bytes arrived while no request was outstanding. */
        UNSOLICITED_DATA,
        /** A reply, its segments and blocks together, was longer than allowed. */
        REPLY_BYTES,
        /** An exchange took longer than the exchange timeout, its blocks all in time. */
        EXCHANGE_DEADLINE,
        /** A reply's data nests deeper than the decoder allows. */
        NESTING_DEPTH,
        /** A reply's data claims more elements or bytes than it carries. */
        CLAIMED_LENGTH,
        /**
         * A frame carried an APDU no meter sends a logical-name client: a request, a short-name reply, a
         * general-block-transfer (not proposed).
         */
        UNEXPECTED_APDU
    }

    private final Bound bound;

    public DlmsProtocolViolationException(String meter, Bound bound, String message) {
        super(meter, "protocol violation: " + message);
        this.bound = bound;
    }

    public Bound bound() {
        return bound;
    }
}
