package io.dlmsgateway.dlms.sim;

import io.dlmsgateway.dlms.Framing;

/**
 * Finds the client's invocation counter in a request frame, before the Gurux server sees it, so that a simulated
 * meter can refuse a counter it has already accepted (replay protection), as real meters do. Gurux 4.0.47's server
 * checks counters only for general-ciphering with a security setup object, which the simulator does not assign.
 *
 * <p>Looks at the APDUs a HIGH_GMAC client sends (IEC 62056-5-3): glo- and ded-ciphered GET/SET/ACTION requests
 * (tag, length, security control byte, 4-byte invocation counter), general-glo-ciphering (tag, system title, length,
 * security control, counter) and the AARQ's user-information (glo-initiateRequest, tag 0x21, same header). Anything
 * else, and anything too short to hold a counter, is not ciphered as far as this class is concerned.
 */
final class CipheredRequests {

    /** What {@link #counter} returns for a frame that carries no ciphered APDU. */
    static final long NONE = -1;

    private static final int AARQ = 0x60;
    private static final int GLO_INITIATE_REQUEST = 0x21;
    private static final int USER_INFORMATION = 0xBE;
    private static final int GENERAL_GLO_CIPHERING = 0xDB;
    private static final int[] CIPHERED_REQUESTS = {
        0xC8, 0xC9, 0xCB, // glo-get, glo-set, glo-action request
        0xD0, 0xD1, 0xD3, // ded-get, ded-set, ded-action request
    };
    private static final int HDLC_SEGMENTED = 0x08;

    private CipheredRequests() {
    }

    /** The client address a frame comes from: the source wPort (WRAPPER) or the HDLC source address; -1 unknown. */
    static int clientAddress(byte[] frame, Framing framing) {
        if (framing == Framing.WRAPPER) {
            return frame.length >= 8 ? (frame[2] & 0xFF) << 8 | frame[3] & 0xFF : -1;
        }
        int at = hdlcSourceAddressAt(frame);
        if (at < 0) {
            return -1;
        }
        // client addresses are one byte on the wire: the address shifted left, low bit set as the last byte's mark
        return (frame[at] & 0xFF) >>> 1;
    }

    /** True when an HDLC frame says more segments of the same APDU follow (the format field's S bit). */
    static boolean hdlcSegmented(byte[] frame) {
        return frame.length > 1 && (frame[1] & HDLC_SEGMENTED) != 0;
    }

    /**
     * The invocation counter of the ciphered APDU this frame starts, or {@link #NONE}.
     *
     * @param continuation for HDLC: the previous frame was a segment of an APDU this frame continues (it carries no
     *                     APDU header of its own)
     */
    static long counter(byte[] frame, Framing framing, boolean continuation) {
        int apdu = apduStart(frame, framing, continuation);
        if (apdu < 0) {
            return NONE;
        }
        int tag = frame[apdu] & 0xFF;
        if (tag == AARQ) {
            return aarqCounter(frame, apdu);
        }
        if (tag == GENERAL_GLO_CIPHERING) {
            int at = apdu + 1;
            if (at >= frame.length) {
                return NONE;
            }
            at += 1 + (frame[at] & 0xFF); // system title
            return securityHeader(frame, at);
        }
        for (int t : CIPHERED_REQUESTS) {
            if (t == tag) {
                return securityHeader(frame, apdu + 1);
            }
        }
        return NONE;
    }

    /** True when the frame starts an AARQ. */
    static boolean isAarq(byte[] frame, Framing framing, boolean continuation) {
        int apdu = apduStart(frame, framing, continuation);
        return apdu >= 0 && (frame[apdu] & 0xFF) == AARQ;
    }

    /** Index of the APDU's first byte in the frame, or -1 when the frame starts none. */
    private static int apduStart(byte[] frame, Framing framing, boolean continuation) {
        int apdu;
        if (framing == Framing.WRAPPER) {
            apdu = 8;
        } else {
            if (continuation) {
                return -1;
            }
            int source = hdlcSourceAddressAt(frame);
            if (source < 0) {
                return -1;
            }
            int control = source + 1;
            if (control >= frame.length || (frame[control] & 0x01) != 0) {
                return -1; // not an I-frame: SNRM, DISC, RR carry no APDU
            }
            int info = control + 3; // control, HCS
            // LLC header E6 E6 00 before the APDU of a request
            if (info + 3 > frame.length || (frame[info] & 0xFF) != 0xE6 || (frame[info + 1] & 0xFF) != 0xE6) {
                return -1;
            }
            apdu = info + 3;
        }
        return apdu < frame.length ? apdu : -1;
    }

    /** Reads {length, security control, counter} at {@code at}; the counter, or NONE if the frame is too short. */
    private static long securityHeader(byte[] frame, int at) {
        int afterLength = skipLength(frame, at);
        if (afterLength < 0 || afterLength + 5 > frame.length) {
            return NONE;
        }
        int c = afterLength + 1; // security control byte
        return (frame[c] & 0xFFL) << 24 | (frame[c + 1] & 0xFFL) << 16 | (frame[c + 2] & 0xFFL) << 8
                | frame[c + 3] & 0xFFL;
    }

    /** The counter of the glo-initiateRequest in the AARQ's user-information, or NONE. */
    private static long aarqCounter(byte[] frame, int apdu) {
        int at = skipLength(frame, apdu + 1);
        if (at < 0) {
            return NONE;
        }
        while (at + 1 < frame.length) {
            int tag = frame[at] & 0xFF;
            int contents = skipLength(frame, at + 1);
            if (contents < 0) {
                return NONE;
            }
            if (tag == USER_INFORMATION) {
                // user-information: OCTET STRING (0x04, length) holding the xDLMS APDU
                if (contents + 2 > frame.length || frame[contents] != 0x04) {
                    return NONE;
                }
                int xdlms = skipLength(frame, contents + 1);
                if (xdlms < 0 || xdlms >= frame.length || (frame[xdlms] & 0xFF) != GLO_INITIATE_REQUEST) {
                    return NONE;
                }
                return securityHeader(frame, xdlms + 1);
            }
            at = contents + length(frame, at + 1);
        }
        return NONE;
    }

    /** Index after a BER length at {@code at} (one byte, or 0x8N and N bytes), or -1 when it runs off the frame. */
    private static int skipLength(byte[] frame, int at) {
        if (at >= frame.length) {
            return -1;
        }
        int first = frame[at] & 0xFF;
        int next = first < 0x80 ? at + 1 : at + 1 + (first & 0x7F);
        return next <= frame.length ? next : -1;
    }

    private static int length(byte[] frame, int at) {
        int first = frame[at] & 0xFF;
        if (first < 0x80) {
            return first;
        }
        int n = first & 0x7F;
        int value = 0;
        for (int i = 1; i <= n && i <= 3 && at + i < frame.length; i++) {
            value = value << 8 | frame[at + i] & 0xFF;
        }
        return value;
    }

    /** Index of the HDLC source (client) address byte, after the variable-length destination address; -1 if none. */
    private static int hdlcSourceAddressAt(byte[] frame) {
        // 7E, two format bytes, destination address bytes until one has its low bit set
        int at = 3;
        while (at < frame.length && at < 3 + 4 && (frame[at] & 0x01) == 0) {
            at++;
        }
        at++;
        return at < frame.length ? at : -1;
    }
}
