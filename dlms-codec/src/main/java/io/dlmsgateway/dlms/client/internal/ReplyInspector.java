package io.dlmsgateway.dlms.client.internal;

import io.dlmsgateway.dlms.client.DlmsProtocolViolationException.Bound;
import java.util.Arrays;

/**
 * Looks at each reply APDU of an exchange before Gurux decodes it, and says when its data is out of
 * {@link AxdrBounds}. Gurux decodes a value only when all of it is in, inside the same call that takes the last
 * frame, so the check needs the APDU whole: this class joins HDLC segments and GET and action data blocks itself
 * (the handler has already bounded how many bytes one exchange may bring). An APDU a meter has no cause to send a
 * client is refused before Gurux sees it. Ciphered APDUs are opened by Gurux alone and are not looked at here. One
 * instance per association, on its event loop.
 */
final class ReplyInspector {

    private static final int GET_REQUEST = 0xC0;
    private static final int GET_RESPONSE = 0xC4;
    private static final int ACTION_RESPONSE = 0xC7;
    private static final int DATA_NOTIFICATION = 0x0F;
    private static final int NORMAL = 1;
    private static final int DATA_BLOCK = 2;
    private static final int WITH_LIST = 3;
    private static final byte[] EMPTY = new byte[0];

    private final boolean hdlc;
    private boolean listRequest;
    // the HDLC segments and the GET data blocks joined so far, each growing by doubling (linear) and released between
    // exchanges; plain fields rather than two holder objects, as every association keeps them (48 bytes per meter)
    private byte[] segments = EMPTY;
    private int segmentsSize;
    private byte[] blocks = EMPTY;
    private int blocksSize;
    // whether the frame being inspected was refused for its APDU's tag (set by onApdu, read by onFrame)
    private boolean unexpectedApdu;

    ReplyInspector(boolean hdlc) {
        this.hdlc = hdlc;
    }

    /** A new exchange begins with this request packet. */
    void start(byte[] request) {
        listRequest = isGetWithList(request);
        segmentsSize = 0;
        blocksSize = 0;
    }

    /** Drops what was joined (the exchange ended), so that an association between polls holds nothing. */
    void end() {
        segments = EMPTY;
        segmentsSize = 0;
        blocks = EMPTY;
        blocksSize = 0;
    }

    /** A reply refused before Gurux decodes it: the bound it broke, and how. */
    record Violation(Bound bound, String message) {
    }

    /**
     * Takes one whole frame of the reply.
     *
     * @return null when fine so far, else why the reply is refused
     */
    Violation onFrame(byte[] frame) {
        unexpectedApdu = false;
        String why = inspect(frame);
        if (why == null) {
            return null;
        }
        return new Violation(unexpectedApdu ? Bound.UNEXPECTED_APDU
                : why.startsWith("reply nests") ? Bound.NESTING_DEPTH : Bound.CLAIMED_LENGTH, why);
    }

    private String inspect(byte[] frame) {
        if (!hdlc) {
            return frame.length > 8 ? onApdu(frame, 8, frame.length) : null;
        }
        // 7E, format (2), destination address, source address, control, [HCS (2), information], FCS (2), 7E
        if (frame.length < 9) {
            return null;
        }
        boolean segmented = (frame[1] & 0x08) != 0;
        int pos = addressEnd(frame, 3);
        pos = pos < 0 ? -1 : addressEnd(frame, pos);
        if (pos < 0 || pos >= frame.length) {
            return null;
        }
        int control = frame[pos] & 0xFF;
        // an I frame, or a UI frame (0x03, with the poll/final bit 0x13): how a meter pushes a notification over HDLC,
        // which Gurux decodes like a reply. Other S and U frames carry no APDU
        if ((control & 1) != 0 && (control & 0xEF) != 0x03) {
            return null;
        }
        int infoStart = pos + 3;
        int infoEnd = frame.length - 3;
        if (infoStart < infoEnd) {
            segments = append(segments, segmentsSize, frame, infoStart, infoEnd);
            segmentsSize += infoEnd - infoStart;
        }
        if (segmented) {
            return null;
        }
        byte[] apdu = segments;
        int size = segmentsSize;
        segmentsSize = 0;
        int from = size >= 3 && (apdu[0] & 0xFF) == 0xE6 && (apdu[1] & 0xFF) == 0xE7 ? 3 : 0; // LLC header
        return onApdu(apdu, from, size);
    }

    private String onApdu(byte[] a, int from, int to) {
        if (to <= from) {
            return null;
        }
        int tag = a[from] & 0xFF;
        String unexpected = unexpected(tag);
        if (unexpected != null) {
            unexpectedApdu = true;
            return unexpected;
        }
        if (tag == DATA_NOTIFICATION) {
            return notification(a, from, to);
        }
        if (tag == ACTION_RESPONSE) {
            return actionResponse(a, from, to);
        }
        if (to - from < 4 || tag != GET_RESPONSE) {
            return null;
        }
        int type = a[from + 1] & 0xFF;
        int pos = from + 3; // after tag, type and invoke-id
        switch (type) {
            case NORMAL -> {
                // result choice 0 and the data, or a data-access-result. Gurux reads whatever follows a
                // data-access-result of 0 as data too, whatever the choice byte said, so that is checked as well
                int choice = a[pos] & 0xFF;
                int data = choice == 0 ? pos + 1 : pos + 2;
                return choice == 0 || data < to ? AxdrBounds.check(a, data, to, 1) : null;
            }
            case WITH_LIST -> {
                return list(a, pos, to);
            }
            case DATA_BLOCK -> {
                // last-block (1), block-number (4), result choice (1): 0 and raw-data, or 1 and an error. As
                // above, Gurux takes what follows an error byte as raw-data as well
                if (to - pos < 7) {
                    return null;
                }
                boolean last = a[pos] != 0;
                pos += (a[pos + 5] & 0xFF) == 0 ? 6 : 7;
                return block(a, pos, to, last, listRequest);
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * Why an APDU of this tag has no place on this client's association, or null when it may come. A meter answers a
     * logical-name client with the AARE and RLRE, get-, set- and action-responses, exception-responses and
     * confirmed-service-errors (plain or ciphered), and may push notifications. Gurux decodes whatever else arrives
     * too, data included and unchecked, without asking whether it was due: a short-name read-response, a
     * general-block-transfer wrapping any of these, even a get-request it then parses as a server would. Each of
     * those held the event loop for good on some input found by fuzzing; none is a reply to anything we send.
     */
    private static String unexpected(int tag) {
        return switch (tag) {
            // AARE, RLRE, get-, set-, action-response, exception-response, confirmed-service-error
            case 0x61, 0x63, GET_RESPONSE, 0xC5, ACTION_RESPONSE, 0xD8, 0x0E -> null;
            // data-notification, event-notification-request, and their ciphered forms
            case DATA_NOTIFICATION, 0xC2, 0xCA, 0xD2 -> null;
            // glo- and ded-ciphered responses and confirmed-service-errors, general-glo, -ded and general ciphering:
            // Gurux opens these itself (see the class comment)
            case 0xCC, 0xCD, 0xCF, 0xD4, 0xD5, 0xD7, 0x2E, 0x4E, 0xDB, 0xDC, 0xDD -> null;
            case 0x0C, 0x0D, 0x18 -> "a short-name " + (tag == 0x0C ? "read-response" : tag == 0x0D
                    ? "write-response" : "information-report") + " on a logical-name association";
            // not proposed in the AARQ (GuruxClients), so a meter that keeps to the negotiated conformance never
            // sends it; Gurux would join its blocks and decode what they carry without our seeing it
            case 0xE0 -> "a general-block-transfer, which this client does not propose";
            default -> String.format("an APDU of tag 0x%02X, which a meter does not send to a client", tag);
        };
    }

    /**
     * A data-notification amid a reply: Gurux decodes its body before we can ignore it. Long-invoke-id-and-priority
     * (4), date-time (a length byte and that many octets), then the body: one data value, but Gurux decodes it and
     * then again from where it ended (once in its notification handler, once at the end of its PDU handling), so
     * every value up to the end is checked (found by fuzzing: an empty array, then a compact-array that held it).
     */
    private static String notification(byte[] a, int from, int to) {
        int pos = from + 5;
        if (pos >= to) {
            return null; // Gurux stops short of the body and says so
        }
        pos += 1 + (a[pos] & 0xFF);
        return pos < to ? AxdrBounds.check(a, pos, to, -1) : null;
    }

    /**
     * An action-response: normal (1) with optional return data, or with a block of it (2), joined like the GET data
     * blocks and checked when the last is in. Where the return data starts follows what Gurux reads, which is more
     * lenient than the standard's optional flag then Get-Data-Result.
     */
    private String actionResponse(byte[] a, int from, int to) {
        int type = to - from > 1 ? a[from + 1] & 0xFF : -1;
        int pos = from + 3; // after tag, type and invoke-id
        if (type == NORMAL) {
            // action-result; return data only after success: 0 then data, or 1 and a choice of 0 then data
            if (pos + 1 >= to || a[pos] != 0) {
                return null;
            }
            int flag = a[pos + 1] & 0xFF;
            if (flag == 0) {
                // no return parameters, as the standard reads it; Gurux decodes whatever follows as data
                return pos + 2 < to ? AxdrBounds.check(a, pos + 2, to, 1) : null;
            }
            if (flag == 1 && pos + 2 < to) {
                int choice = a[pos + 2] & 0xFF;
                // Gurux reads a choice of 9 followed by 16 as an octet-string of 16 (a quirk of some meters)
                boolean quirk = choice == 9 && pos + 3 < to && (a[pos + 3] & 0xFF) == 16;
                return choice == 0 ? AxdrBounds.check(a, pos + 3, to, 1)
                        : quirk ? AxdrBounds.check(a, pos + 2, to, 1) : null;
            }
            return null;
        }
        if (type == DATA_BLOCK) {
            // last-block (1), block-number (4), raw-data
            if (to - pos < 6) {
                return null;
            }
            return block(a, pos + 5, to, a[pos] != 0, false);
        }
        return null;
    }

    /**
     * Joins one block's raw-data (an octet-string at {@code pos}) to those before it; with the last, checks them all
     * as one value, or as a get-with-list's results.
     */
    private String block(byte[] a, int pos, int to, boolean last, boolean asList) {
        if (pos >= to) {
            return null;
        }
        long n = AxdrBounds.length(a, pos, to);
        if (n < 0) {
            return null;
        }
        pos += AxdrBounds.lengthSize(a[pos]);
        int blockEnd = (int) Math.min(to, pos + n);
        if (blockEnd > pos) {
            blocks = append(blocks, blocksSize, a, pos, blockEnd);
            blocksSize += blockEnd - pos;
        }
        if (!last) {
            return null;
        }
        String why = asList ? list(blocks, 0, blocksSize) : AxdrBounds.check(blocks, 0, blocksSize, 1);
        blocksSize = 0;
        return why;
    }

    private static String list(byte[] a, int pos, int to) {
        long count = AxdrBounds.length(a, pos, to);
        if (count < 0) {
            return null;
        }
        pos += AxdrBounds.lengthSize(a[pos]);
        if (count > (to - pos) / 2) {
            return "list claims " + count + " results, only " + (to - pos) + " bytes left";
        }
        return AxdrBounds.check(a, pos, to, (int) count, true);
    }

    private static boolean isGetWithList(byte[] request) {
        // WRAPPER: 8-byte header then the APDU; HDLC: the APDU after the LLC header E6 E6 00
        if (request.length > 9 && (request[8] & 0xFF) == GET_REQUEST) {
            return (request[9] & 0xFF) == WITH_LIST;
        }
        for (int i = 0; i + 4 < request.length; i++) {
            if ((request[i] & 0xFF) == 0xE6 && (request[i + 1] & 0xFF) == 0xE6 && request[i + 2] == 0
                    && (request[i + 3] & 0xFF) == GET_REQUEST) {
                return (request[i + 4] & 0xFF) == WITH_LIST;
            }
        }
        return false;
    }

    private static int addressEnd(byte[] frame, int from) {
        for (int i = from; i < frame.length && i < from + 4; i++) {
            if ((frame[i] & 1) != 0) {
                return i + 1;
            }
        }
        return -1;
    }

    /** {@code joined} (its first {@code size} bytes) followed by {@code src[from, to)}: the same or a larger array. */
    private static byte[] append(byte[] joined, int size, byte[] src, int from, int to) {
        int n = to - from;
        if (size + n > joined.length) {
            joined = Arrays.copyOf(joined, Math.max(size + n, Math.max(256, joined.length * 2)));
        }
        System.arraycopy(src, from, joined, size, n);
        return joined;
    }
}
