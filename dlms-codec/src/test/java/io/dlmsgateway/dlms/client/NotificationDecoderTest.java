package io.dlmsgateway.dlms.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gurux.dlms.enums.Command;
import gurux.dlms.enums.Security;
import gurux.dlms.objects.enums.SecuritySuite;
import gurux.dlms.secure.AesGcmParameter;
import gurux.dlms.secure.GXCiphering;
import io.dlmsgateway.dlms.Axdr;
import io.dlmsgateway.dlms.CosemAttribute;
import io.dlmsgateway.dlms.CosemDateTime;
import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.DlmsType;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.NotificationException.Reason;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link NotificationDecoder}: the APDUs of IEC 62056-5-3 a meter pushes, plain and ciphered (by Gurux, an
 * implementation other than the decoder's), and every defect as {@link NotificationException} with its reason.
 */
class NotificationDecoderTest {

    static final byte[] SYSTEM_TITLE = HexFormat.of().parseHex("4752580000000007");
    static final String EK = "000102030405060708090A0B0C0D0E0F";
    static final String AK = "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF";
    static final DlmsClientSettings KEYS = DlmsClientSettings.builder().blockCipherKey(EK).authenticationKey(AK)
            .build();
    static final Function<byte[], Optional<DlmsClientSettings>> KNOWN = st -> Arrays.equals(st, SYSTEM_TITLE)
            ? Optional.of(KEYS) : Optional.empty();

    static final Instant TIME = Instant.parse("2026-12-01T00:15:30.25Z");
    static final DlmsValue BODY = DlmsValue.structure(List.of(
            DlmsValue.octets("GRXSIM0000000007".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
            DlmsValue.integer(DlmsType.DOUBLE_LONG_UNSIGNED, 1_234_567),
            DlmsValue.integer(DlmsType.LONG_UNSIGNED, 2_301)));

    static byte[] dataNotification(long invokeId, boolean withTime, DlmsValue body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x0F);
        out.writeBytes(new byte[]{(byte) (invokeId >>> 24), (byte) (invokeId >>> 16), (byte) (invokeId >>> 8),
            (byte) invokeId});
        if (withTime) {
            out.write(12);
            out.writeBytes(CosemDateTime.of(TIME, ZoneOffset.UTC, DeviationSign.STANDARD, 0).encode());
        } else {
            out.write(0);
        }
        out.writeBytes(Axdr.encode(body));
        return out.toByteArray();
    }

    static byte[] cipher(byte[] plain, Security security, String ek, long counter) throws Exception {
        return GXCiphering.encrypt(new AesGcmParameter(null, Command.GENERAL_GLO_CIPHERING, security,
                SecuritySuite.SUITE_0, counter, SYSTEM_TITLE, HexFormat.of().parseHex(ek),
                HexFormat.of().parseHex(AK)), plain);
    }

    @Test
    void plainDataNotificationWithDateTime() {
        Notification n = NotificationDecoder.decode(dataNotification(0x8000_0042L, true, BODY), KNOWN);
        assertThat(n.kind()).isEqualTo(Notification.Kind.DATA_NOTIFICATION);
        assertThat(n.invokeId()).isEqualTo(0x8000_0042L);
        assertThat(n.dateTime().orElseThrow().toInstant(DeviationSign.STANDARD, ZoneOffset.UTC)).contains(TIME);
        assertThat(n.body()).isEqualTo(BODY);
        assertThat(n.attribute()).isEmpty();
        assertThat(n.ciphered()).isFalse();
        assertThat(n.invocationCounter()).isEqualTo(-1);
    }

    @Test
    void plainDataNotificationWithoutDateTime() {
        Notification n = NotificationDecoder.decode(dataNotification(7, false, BODY), KNOWN);
        assertThat(n.dateTime()).isEmpty();
        assertThat(n.body()).isEqualTo(BODY);
    }

    @Test
    void eventNotificationRequestWithAndWithoutTime() {
        byte[] descriptor = {0, 70, 0, 0, 96, 3, 10, (byte) 255, 3}; // class 70, 0.0.96.3.10.255, attribute 3
        byte[] value = Axdr.encode(DlmsValue.integer(DlmsType.ENUM, 1));
        ByteArrayOutputStream without = new ByteArrayOutputStream();
        without.write(0xC2);
        without.write(0);
        without.writeBytes(descriptor);
        without.writeBytes(value);
        Notification n = NotificationDecoder.decode(without.toByteArray(), KNOWN);
        assertThat(n.kind()).isEqualTo(Notification.Kind.EVENT_NOTIFICATION);
        assertThat(n.dateTime()).isEmpty();
        assertThat(n.attribute()).contains(new CosemAttribute(70, ObisCode.parse("0.0.96.3.10.255"), 3));
        assertThat(n.body()).isEqualTo(DlmsValue.integer(DlmsType.ENUM, 1));

        // as Gurux writes it: a presence octet (the octet-string tag), the length 12, the date-time
        ByteArrayOutputStream with = new ByteArrayOutputStream();
        with.write(0xC2);
        with.write(0x09);
        with.write(12);
        with.writeBytes(CosemDateTime.of(TIME, ZoneOffset.UTC, DeviationSign.STANDARD, 0).encode());
        with.writeBytes(descriptor);
        with.writeBytes(value);
        assertThat(NotificationDecoder.decode(with.toByteArray(), KNOWN).dateTime().orElseThrow()
                .toInstant(DeviationSign.STANDARD, ZoneOffset.UTC)).contains(TIME);
    }

    @Test
    void generalGloCipheredByGuruxIsDecipheredAndAuthenticated() throws Exception {
        byte[] plain = dataNotification(3, true, BODY);
        byte[] apdu = cipher(plain, Security.AUTHENTICATION_ENCRYPTION, EK, 4711);
        assertThat(apdu[0] & 0xFF).isEqualTo(0xDB);
        assertThat(NotificationDecoder.systemTitle(apdu)).hasValueSatisfying(st -> assertThat(st)
                .isEqualTo(SYSTEM_TITLE));
        Notification n = NotificationDecoder.decode(apdu, KNOWN);
        assertThat(n.ciphered()).isTrue();
        assertThat(n.systemTitle()).hasValueSatisfying(st -> assertThat(st).isEqualTo(SYSTEM_TITLE));
        assertThat(n.invocationCounter()).isEqualTo(4711);
        assertThat(n.invokeId()).isEqualTo(3);
        assertThat(n.body()).isEqualTo(BODY);
        // authentication only: the APDU in clear, the GMAC tag over it
        Notification authenticated = NotificationDecoder.decode(cipher(plain, Security.AUTHENTICATION, EK, 9), KNOWN);
        assertThat(authenticated.body()).isEqualTo(BODY);
        assertThat(authenticated.invocationCounter()).isEqualTo(9);
    }

    @Test
    void theCipheredFuzzSeedMadeByAThirdImplementationDecodes() throws Exception {
        // written by Python's cryptography (AES-GCM, tag cut to 12 octets): a third implementation besides ours and
        // Gurux's
        byte[] seed;
        try (var in = getClass().getResourceAsStream("NotificationDecoderFuzzTestInputs/decodes/general-glo-ciphered")) {
            seed = in.readAllBytes();
        }
        Notification n = NotificationDecoder.decode(seed, KNOWN);
        assertThat(n.invocationCounter()).isEqualTo(4711);
        assertThat(n.invokeId()).isEqualTo(0x8000_0042L);
        assertThat(n.body()).isEqualTo(BODY);
        assertThat(n.dateTime().orElseThrow().toInstant(DeviationSign.STANDARD, ZoneOffset.UTC))
                .contains(Instant.parse("2026-12-01T00:15:30.25Z"));
    }

    @Test
    void wrongKeysAlteredBytesAndUnknownSystemTitlesAreRefusedWithTheirReason() throws Exception {
        byte[] apdu = cipher(dataNotification(3, true, BODY), Security.AUTHENTICATION_ENCRYPTION,
                "00112233445566778899AABBCCDDEEFF", 1);
        assertThatThrownBy(() -> NotificationDecoder.decode(apdu, KNOWN)).isInstanceOf(NotificationException.class)
                .hasMessageContaining("GMAC tag does not match")
                .satisfies(e -> assertThat(((NotificationException) e).reason()).isEqualTo(Reason.AUTHENTICATION_FAILED));
        byte[] good = cipher(dataNotification(3, true, BODY), Security.AUTHENTICATION_ENCRYPTION, EK, 1);
        for (int i : new int[]{15, 20, good.length - 1}) { // the counter, the ciphertext, the tag
            byte[] altered = good.clone();
            altered[i] ^= 1;
            assertThat(reason(altered)).as("byte %d altered", i).isEqualTo(Reason.AUTHENTICATION_FAILED);
        }
        assertThat(reasonOf(() -> NotificationDecoder.decode(good, st -> Optional.empty())))
                .isEqualTo(Reason.UNKNOWN_SYSTEM_TITLE);
    }

    @Test
    void malformedAndForeignApdusAreRefusedWithTheOffset() {
        byte[] good = dataNotification(1, true, BODY);
        assertThat(reason(new byte[0])).isEqualTo(Reason.MALFORMED);
        assertThat(reason(Arrays.copyOf(good, good.length - 1))).isEqualTo(Reason.MALFORMED);
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> NotificationDecoder.decode(trailing, KNOWN))
                .isInstanceOf(NotificationException.class).hasMessageContaining("1 bytes after the body");
        byte[] badTime = good.clone();
        badTime[5] = 11;
        assertThatThrownBy(() -> NotificationDecoder.decode(badTime, KNOWN))
                .isInstanceOf(NotificationException.class).hasMessageContaining("at offset 6: date-time of 11 octets");
        assertThat(reason(new byte[]{(byte) 0xC4, 1, (byte) 0xC1, 0, 6, 0, 0, 0, 1})).isEqualTo(Reason.UNSUPPORTED);
        byte[] unknownTag = good.clone();
        unknownTag[18] = (byte) 0xFE; // the body's tag
        assertThat(reason(unknownTag)).isEqualTo(Reason.MALFORMED);
        // general-glo-ciphering claiming more than is there, or a system title of the wrong size
        assertThat(reason(new byte[]{(byte) 0xDB, 8, 1, 2, 3, 4, 5, 6, 7, 8, 100, 0x30, 0, 0, 0, 1}))
                .isEqualTo(Reason.MALFORMED);
        assertThat(reason(new byte[]{(byte) 0xDB, 4, 1, 2, 3, 4})).isEqualTo(Reason.MALFORMED);
        assertThatThrownBy(() -> NotificationDecoder.systemTitle(new byte[]{(byte) 0xDB, 8, 1}))
                .isInstanceOf(NotificationException.class);
    }

    private static Reason reason(byte[] apdu) {
        return reasonOf(() -> NotificationDecoder.decode(apdu, KNOWN));
    }

    private static Reason reasonOf(Runnable decode) {
        try {
            decode.run();
        } catch (NotificationException e) {
            return e.reason();
        }
        throw new AssertionError("decoded");
    }
}
