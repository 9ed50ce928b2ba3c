package io.dlmsgateway.dlms.sim;

/**
 * Misbehaviour a {@link SimulatedMeter} can be told to show, to test how a client copes. A fault applies to every
 * connection of that meter from the next request on; set {@link #NONE} to heal it.
 */
public enum MeterFault {
    /** Behave like a healthy meter. */
    NONE,
    /** Close the TCP connection when the next request arrives, without answering it. */
    CLOSE_CONNECTION,
    /** Swallow every request and never answer; the connection stays open. */
    STOP_ANSWERING,
    /** Answer every request with a few random bytes instead of a valid frame. */
    SEND_GARBAGE,
    /** Reject every association request (AARE result permanent-rejected, diagnostic no-reason-given). */
    REJECT_ASSOCIATION,
    /** Accept the association, then close the connection on the first request that follows the accepting AARE. */
    CLOSE_AFTER_ASSOCIATION,
    /**
     * Accept the association, answer the first request that follows, then stream DataNotification frames nobody
     * asked for as fast as the connection takes them, until it closes. WRAPPER meters; an HDLC meter closes instead.
     */
    FLOOD_DATA_NOTIFICATION,
    /**
     * Accept the association, then answer every GET with a data block that is never the last: each GET-next gets
     * another block of 512 bytes, forever. WRAPPER meters; an HDLC meter closes instead.
     */
    NEVER_LAST_BLOCK
}
