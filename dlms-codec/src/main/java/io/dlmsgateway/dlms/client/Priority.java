package io.dlmsgateway.dlms.client;

/**
 * How urgently an operation of a {@link DlmsConnection} wants the wire.
 *
 * <p>A connection interleaves its operations at exchange boundaries (an exchange is one request and every block,
 * segment and receiver-ready of its reply; nothing else goes on the wire in between). When the wire comes free, the
 * next exchange is taken from an {@link #ON_DEMAND} operation if one is waiting, otherwise from a {@link #SCHEDULED}
 * one; operations of equal priority take turns, one exchange each. So an on-demand read waits at most for the
 * exchange in flight, and a long scheduled read (many GET-with-list chunks, a block-transferred profile) does not hold
 * off another scheduled read for more than one exchange at a time.
 */
public enum Priority {

    /** Someone is waiting for the answer now (an RPC, a technician's read): goes before any scheduled exchange. */
    ON_DEMAND,

    /** Routine work (polls, profile reads, clock checks); the default. */
    SCHEDULED
}
