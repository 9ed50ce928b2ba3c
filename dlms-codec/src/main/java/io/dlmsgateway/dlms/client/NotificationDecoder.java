package io.dlmsgateway.dlms.client;

import io.dlmsgateway.dlms.Axdr;
import io.dlmsgateway.dlms.CosemAttribute;
import io.dlmsgateway.dlms.CosemDateTime;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.NotificationException.Reason;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Function;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns one APDU a meter pushed into a {@link Notification} (IEC 62056-5-3): data-notification (tag 0x0F:
 * long-invoke-id-and-priority, date-time as an octet-string of 0 or 12 octets, notification-body = one Data),
 * event-notification-request (tag 0xC2: optional time, cosem-attribute-descriptor, attribute-value = one Data), and
 * either of them inside general-glo-ciphering (tag 0xDB: system title, length, security control, invocation counter,
 * ciphertext and GMAC tag), security suite 0 (AES-GCM-128), authenticated encryption (0x30) or authentication only
 * (0x10).
 *
 * <p>Deciphering uses {@code javax.crypto} directly rather than Gurux's {@code GXCiphering}: Gurux's decryption
 * needs a {@code GXDLMSSettings} per call, logs through java.util.logging, and throws a dozen checked exception types,
 * where a listener on shared event loops needs a small stateless function with one error. The simulator ciphers with
 * Gurux, so the tests check the two implementations against each other.
 *
 * <p>Everything is bounded by the array given: lengths are checked against what is left before anything is read or
 * allocated; the body is decoded by {@link Axdr#decode(ByteBuffer)} (depth and counts checked). Any defect is a
 * {@link NotificationException} naming the offset and the reason; nothing else comes out. Stateless and thread-safe.
 */
public final class NotificationDecoder {

    static final int DATA_NOTIFICATION = 0x0F;
    static final int EVENT_NOTIFICATION = 0xC2;
    static final int GENERAL_GLO_CIPHERING = 0xDB;
    private static final int SYSTEM_TITLE_LENGTH = 8;
    private static final int TAG_LENGTH = 12;
    /** Suite 0 with authentication and encryption; authentication only. */
    private static final int SC_AUTHENTICATED_ENCRYPTION = 0x30;
    private static final int SC_AUTHENTICATION_ONLY = 0x10;

    /** One Cipher per thread: a Cipher is not thread-safe, and making one per APDU costs a provider look-up. */
    private static final ThreadLocal<Cipher> GCM = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available in this JVM", e);
        }
    });

    private NotificationDecoder() {
    }

    /**
     * The system title of a general-glo-ciphered APDU, without deciphering it: who to look the keys up for.
     *
     * @return empty for an APDU that is not general-glo-ciphering
     * @throws NotificationException when it is general-glo-ciphering but too short to carry a system title
     */
    public static Optional<byte[]> systemTitle(byte[] apdu) {
        if (apdu.length == 0 || (apdu[0] & 0xFF) != GENERAL_GLO_CIPHERING) {
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(apdu);
        in.position(1);
        return Optional.of(readSystemTitle(in));
    }

    /**
     * Decodes one APDU.
     *
     * @param apdu the APDU, exactly (nothing before or after it)
     * @param keys the client settings holding the block cipher and authentication key of the meter with that system
     *             title (8 octets); empty when no meter with it is known. Asked only for a ciphered APDU.
     * @throws NotificationException when the APDU is malformed, of another kind, ciphered for unknown keys, or fails
     *                               authentication
     */
    public static Notification decode(byte[] apdu, Function<byte[], Optional<DlmsClientSettings>> keys) {
        ByteBuffer in = ByteBuffer.wrap(apdu);
        int tag = tag(in);
        if (tag != GENERAL_GLO_CIPHERING) {
            return plain(tag, in, Optional.empty(), -1);
        }
        byte[] systemTitle = readSystemTitle(in);
        int length = berLength(in);
        if (length != in.remaining()) {
            throw malformed(in, "ciphered content claims " + length + " bytes where " + in.remaining() + " follow");
        }
        if (length < 1 + 4 + TAG_LENGTH) {
            throw malformed(in, "ciphered content of " + length + " bytes cannot hold security header and tag");
        }
        int securityControl = in.get() & 0xFF;
        long invocationCounter = in.getInt() & 0xFFFF_FFFFL;
        if (securityControl != SC_AUTHENTICATED_ENCRYPTION && securityControl != SC_AUTHENTICATION_ONLY) {
            throw new NotificationException(Reason.UNSUPPORTED, String.format("security control 0x%02X is not "
                    + "suite 0 with authentication (0x10) or authenticated encryption (0x30)", securityControl));
        }
        DlmsClientSettings settings = keys.apply(systemTitle.clone()).orElseThrow(() -> new NotificationException(
                Reason.UNKNOWN_SYSTEM_TITLE, "no keys for system title " + HexFormat.of().formatHex(systemTitle)));
        byte[] plain = decipher(settings, systemTitle, securityControl, invocationCounter, in);
        ByteBuffer inner = ByteBuffer.wrap(plain);
        int innerTag = tag(inner);
        if (innerTag == GENERAL_GLO_CIPHERING) {
            throw new NotificationException(Reason.UNSUPPORTED, "general-glo-ciphering inside general-glo-ciphering");
        }
        return plain(innerTag, inner, Optional.of(systemTitle), invocationCounter);
    }

    private static int tag(ByteBuffer in) {
        if (!in.hasRemaining()) {
            throw malformed(in, "empty APDU");
        }
        int tag = in.get() & 0xFF;
        if (tag != DATA_NOTIFICATION && tag != EVENT_NOTIFICATION && tag != GENERAL_GLO_CIPHERING) {
            throw new NotificationException(Reason.UNSUPPORTED, String.format("APDU tag 0x%02X is no "
                    + "data-notification (0x0F), event-notification-request (0xC2) or general-glo-ciphering (0xDB)",
                    tag));
        }
        return tag;
    }

    private static Notification plain(int tag, ByteBuffer in, Optional<byte[]> systemTitle, long counter) {
        if (tag == DATA_NOTIFICATION) {
            long invokeId = need(in, 4, "long-invoke-id-and-priority").getInt() & 0xFFFF_FFFFL;
            int length = need(in, 1, "date-time length").get() & 0xFF;
            Optional<CosemDateTime> dateTime = Optional.empty();
            if (length == CosemDateTime.LENGTH) {
                dateTime = Optional.of(dateTime(in));
            } else if (length != 0) {
                throw malformed(in, "date-time of " + length + " octets (0 or 12)");
            }
            return new Notification(Notification.Kind.DATA_NOTIFICATION, invokeId, dateTime, Optional.empty(),
                    body(in), systemTitle, counter);
        }
        // event-notification-request: time OPTIONAL (0 absent; else a flag, the length 12 and the octets)
        Optional<CosemDateTime> dateTime = Optional.empty();
        if ((need(in, 1, "time presence").get() & 0xFF) != 0) {
            int length = need(in, 1, "time length").get() & 0xFF;
            if (length != CosemDateTime.LENGTH) {
                throw malformed(in, "time of " + length + " octets (12)");
            }
            dateTime = Optional.of(dateTime(in));
        }
        need(in, 2 + 6 + 1, "cosem-attribute-descriptor");
        int classId = in.getShort() & 0xFFFF;
        byte[] ln = new byte[6];
        in.get(ln);
        int index = in.get();
        if (index < 1) {
            throw malformed(in, "attribute index " + index + " out of range 1..127");
        }
        CosemAttribute attribute = new CosemAttribute(classId, ObisCode.ofBytes(ln), index);
        return new Notification(Notification.Kind.EVENT_NOTIFICATION, 0, dateTime, Optional.of(attribute),
                body(in), systemTitle, counter);
    }

    private static CosemDateTime dateTime(ByteBuffer in) {
        byte[] octets = new byte[CosemDateTime.LENGTH];
        need(in, octets.length, "date-time").get(octets);
        return CosemDateTime.decode(octets);
    }

    private static DlmsValue body(ByteBuffer in) {
        if (!in.hasRemaining()) {
            throw malformed(in, "no body");
        }
        int start = in.position();
        DlmsValue value;
        try {
            value = Axdr.decode(in);
        } catch (IllegalArgumentException | BufferUnderflowException e) {
            throw malformed(start, "body: " + e.getMessage());
        }
        if (in.hasRemaining()) {
            throw malformed(in, in.remaining() + " bytes after the body");
        }
        return value;
    }

    private static byte[] readSystemTitle(ByteBuffer in) {
        int length = need(in, 1, "system title length").get() & 0xFF;
        if (length != SYSTEM_TITLE_LENGTH) {
            throw malformed(in, "system title of " + length + " octets (8)");
        }
        byte[] title = new byte[SYSTEM_TITLE_LENGTH];
        need(in, SYSTEM_TITLE_LENGTH, "system title").get(title);
        return title;
    }

    /** A BER length: one byte below 0x80, or 0x81/0x82 and one or two bytes. */
    private static int berLength(ByteBuffer in) {
        int first = need(in, 1, "length").get() & 0xFF;
        if (first < 0x80) {
            return first;
        }
        int bytes = first & 0x7F;
        if (bytes < 1 || bytes > 2) {
            throw malformed(in, String.format("length form 0x%02X (at most two length octets)", first));
        }
        need(in, bytes, "length");
        return bytes == 1 ? in.get() & 0xFF : in.getShort() & 0xFFFF;
    }

    private static byte[] decipher(DlmsClientSettings settings, byte[] systemTitle, int securityControl,
            long invocationCounter, ByteBuffer in) {
        byte[] ek = settings.blockCipherKey();
        byte[] ak = settings.authenticationKey();
        if (ek == null || ak == null) {
            throw new NotificationException(Reason.AUTHENTICATION_FAILED, "no block cipher and authentication key "
                    + "configured for system title " + HexFormat.of().formatHex(systemTitle));
        }
        byte[] iv = Arrays.copyOf(systemTitle, 12);
        iv[8] = (byte) (invocationCounter >>> 24);
        iv[9] = (byte) (invocationCounter >>> 16);
        iv[10] = (byte) (invocationCounter >>> 8);
        iv[11] = (byte) invocationCounter;
        byte[] content = new byte[in.remaining()];
        in.get(content);
        Cipher cipher = GCM.get();
        try {
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(ek, "AES"), new GCMParameterSpec(TAG_LENGTH * 8, iv));
            cipher.updateAAD(new byte[]{(byte) securityControl});
            cipher.updateAAD(ak);
            if (securityControl == SC_AUTHENTICATED_ENCRYPTION) {
                return cipher.doFinal(content);
            }
            // authentication only: the APDU travels in clear, the tag covers SC || AK || APDU
            int plainLength = content.length - TAG_LENGTH;
            cipher.updateAAD(content, 0, plainLength);
            cipher.doFinal(content, plainLength, TAG_LENGTH);
            return Arrays.copyOf(content, plainLength);
        } catch (AEADBadTagException e) {
            throw new NotificationException(Reason.AUTHENTICATION_FAILED, "GMAC tag does not match (system title "
                    + HexFormat.of().formatHex(systemTitle) + ", invocation counter " + invocationCounter
                    + "): wrong keys or altered APDU");
        } catch (GeneralSecurityException | IllegalStateException e) {
            throw new NotificationException(Reason.AUTHENTICATION_FAILED, "cannot decipher: " + e.getMessage());
        }
    }

    private static ByteBuffer need(ByteBuffer in, int bytes, String what) {
        if (in.remaining() < bytes) {
            throw malformed(in, what + " needs " + bytes + " bytes, " + in.remaining() + " left");
        }
        return in;
    }

    private static NotificationException malformed(ByteBuffer in, String what) {
        return malformed(in.position(), what);
    }

    private static NotificationException malformed(int offset, String what) {
        return new NotificationException(Reason.MALFORMED, "at offset " + offset + ": " + what);
    }
}
