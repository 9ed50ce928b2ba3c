package io.dlmsgateway.dlms.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.DlmsProtocolViolationException.Bound;
import io.dlmsgateway.dlms.frame.WrapperFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, findings 1, 3, 8 and 9: replies no meter should send, fed frame by frame to a live {@link DlmsConnection}
 * on an {@link EmbeddedChannel} (WRAPPER framing, no association: the Gurux client keeps its defaults).
 */
class DlmsConnectionHostileRepliesTest {

    private static final ObisCode DEVICE_ID = ObisCode.parse("0.0.96.1.0.255");
    private static final Measurement VOLTAGE = Measurement.register("voltage_l1", "1.0.32.7.0.255");

    private EmbeddedChannel channel;
    private DlmsConnection connection;

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel(new WrapperFrameDecoder());
        connection = DlmsConnection.unassociated(channel, DlmsClientSettings.builder()
                .maxReplyBytes(DlmsClientSettings.MIN_MAX_REPLY_BYTES).build(), "meter-7");
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Test
    void aReplyNested30000LevelsDeepIsRefusedWithItsDepth() {
        CompletableFuture<Object> read = connection.readAttribute(DEVICE_ID, 1, 2);
        ByteArrayOutputStream apdu = getResponseNormal(request());
        for (int i = 0; i < 30_000; i++) {
            apdu.write(0x01); // array
            apdu.write(0x01); // of one element
        }
        apdu.write(0x00);
        reply(apdu.toByteArray());

        assertViolation(read, Bound.NESTING_DEPTH, "reply nests 30000 levels deep, more than 64");
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void anArrayClaimingMoreElementsThanItCarriesIsRefusedWithTheClaim() {
        CompletableFuture<Object> read = connection.readAttribute(DEVICE_ID, 1, 2);
        ByteArrayOutputStream apdu = getResponseNormal(request());
        apdu.writeBytes(HexFormat.of().parseHex("0182FFFF1101"));
        reply(apdu.toByteArray());

        assertViolation(read, Bound.CLAIMED_LENGTH, "array claims 65535 elements, only 2 bytes left");
    }

    @Test
    void aCompactArrayOfElementsWithoutBytesIsRefusedBeforeGuruxLoopsOnIt() {
        // found by DlmsConnectionRepliesFuzzTest: Gurux reads rows of an empty structure without end (minutes, GBs)
        CompletableFuture<Object> read = connection.readAttribute(DEVICE_ID, 1, 2);
        ByteArrayOutputStream apdu = getResponseNormal(request());
        apdu.writeBytes(HexFormat.of().parseHex("1302002C"));
        apdu.writeBytes(new byte[44]);
        // without the check this call does not come back; the bound here only keeps such a failure finite
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> reply(apdu.toByteArray()));

        assertViolation(read, Bound.CLAIMED_LENGTH, "compact-array of elements that take no bytes");
    }

    @Test
    void dataAfterAResultChoiceThatIsNotDataIsCheckedAsWellSinceGuruxReadsIt() {
        // found by DlmsConnectionRepliesFuzzTest in CI: result choice 0xD5, then a data-access-result of 0, then the
        // same empty compact-array rows; Gurux takes the bytes after a "success" error as data and looped on them
        CompletableFuture<Object> read = connection.readAttribute(DEVICE_ID, 1, 2);
        byte[] request = request();
        ByteArrayOutputStream apdu = new ByteArrayOutputStream();
        apdu.writeBytes(new byte[] {(byte) 0xC4, 0x01, request[10], (byte) 0xD5, 0x00});
        apdu.writeBytes(HexFormat.of().parseHex("0101130201000901"));
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> reply(apdu.toByteArray()));

        assertViolation(read, Bound.CLAIMED_LENGTH, "compact-array of elements that take no bytes");
    }

    @Test
    void aCompactArrayWhoseLastRowIsCutShortIsRefusedBeforeGuruxLoopsOnIt() {
        // found by DlmsConnectionRepliesFuzzTest: Gurux counts a row it cannot finish as read and stays where it is
        CompletableFuture<Object> read = connection.readAttribute(DEVICE_ID, 1, 2);
        ByteArrayOutputStream apdu = getResponseNormal(request());
        apdu.writeBytes(HexFormat.of().parseHex("1302021111" + "03" + "010203")); // rows of two bytes, three bytes
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> reply(apdu.toByteArray()));

        assertViolation(read, Bound.CLAIMED_LENGTH, "compact-array rows do not fill its contents");
    }

    @Test
    void aCompactArrayOfStringsWhoseLastStringIsCutShortIsRefusedBeforeGuruxLoopsOnIt() {
        // found by CI's fuzzing of ProfileRepliesFuzzTest: the same loop with rows that are single octet-strings, which
        // the row walk had checked for structures only (Gurux held the loop 55 s, then ran out of heap)
        CompletableFuture<Object> read = connection.readAttribute(DEVICE_ID, 1, 2);
        ByteArrayOutputStream apdu = getResponseNormal(request());
        apdu.writeBytes(HexFormat.of().parseHex("1309" + "02" + "0604")); // one string claiming 6 bytes, 1 left
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> reply(apdu.toByteArray()));

        assertViolation(read, Bound.CLAIMED_LENGTH, "compact-array rows do not fill its contents");
    }

    @Test
    void aShortNameReadResponseIsRefusedBeforeGuruxDecodesIt() {
        // found by CI's fuzzing of DlmsConnectionOperationRepliesFuzzTest: an SN read-response carrying a compact-array
        // of empty rows held Gurux 46 s; this client references by logical name only, so no SN reply is ever due
        CompletableFuture<Object> read = connection.readAttribute(DEVICE_ID, 1, 2);
        request();
        assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> reply(HexFormat.of().parseHex("0C3F01C10013020004")));

        assertViolation(read, Bound.UNEXPECTED_APDU, "a short-name read-response on a logical-name association");
    }

    @Test
    void aGeneralBlockTransferIsRefusedBeforeGuruxDecodesWhatItCarries() {
        // found by CI's fuzzing of ProfileRepliesFuzzTest: a get-response inside a general-block-transfer reached Gurux
        // unchecked (its compact-array of strings cut short held Gurux 47 s); this client does not propose GBT
        CompletableFuture<Object> read = connection.readAttribute(DEVICE_ID, 1, 2);
        ByteArrayOutputStream inner = getResponseNormal(request());
        inner.writeBytes(HexFormat.of().parseHex("1309" + "02" + "0604"));
        ByteArrayOutputStream gbt = new ByteArrayOutputStream();
        gbt.writeBytes(HexFormat.of().parseHex("E080" + "0001" + "0000")); // last block 1, nothing acknowledged
        gbt.write(inner.size());
        gbt.writeBytes(inner.toByteArray());
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> reply(gbt.toByteArray()));

        assertViolation(read, Bound.UNEXPECTED_APDU, "a general-block-transfer, which this client does not propose");
    }

    @Test
    void aRequestFromTheMeterIsRefusedRatherThanParsedAsAServerWould() {
        CompletableFuture<Object> read = connection.readAttribute(DEVICE_ID, 1, 2);
        request();
        reply(HexFormat.of().parseHex("C001C1" + "0001" + "0000600100FF" + "02" + "00")); // a get-request

        assertViolation(read, Bound.UNEXPECTED_APDU, "an APDU of tag 0xC0, which a meter does not send to a client");
    }

    @Test
    void aDataNotificationAmidAReplyHasItsBodyCheckedSinceGuruxDecodesIt() {
        CompletableFuture<Object> read = connection.readAttribute(DEVICE_ID, 1, 2);
        request();
        assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> reply(HexFormat.of().parseHex("0F" + "00000001" + "00" + "1309" + "02" + "0604")));

        assertViolation(read, Bound.CLAIMED_LENGTH, "compact-array rows do not fill its contents");
    }

    @Test
    void aCompactArrayWithNullDataInItsTypeIsRefusedSinceGuruxReadsATaggedValueThere() {
        // found by fuzzing ProfileRepliesFuzzTest: for a null-data column Gurux decodes a tagged value from the
        // contents, here a compact-array of its own, and stayed in that one's row loop until out of heap
        CompletableFuture<Object> read = connection.readAttribute(DEVICE_ID, 1, 2);
        ByteArrayOutputStream apdu = getResponseNormal(request());
        apdu.writeBytes(HexFormat.of().parseHex("1302021100" + "02" + "0700")); // {u8, null-data}, one row
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> reply(apdu.toByteArray()));

        assertViolation(read, Bound.CLAIMED_LENGTH, "compact-array type holds null-data");
    }

    @Test
    void aDataNotificationHasEveryValueOfItsBodyCheckedSinceGuruxDecodesPastTheFirst() {
        // found by fuzzing DlmsConnectionOperationRepliesFuzzTest: Gurux decodes a notification's body once, then
        // again from where the first value ended; here an empty array, then a compact-array cut short
        CompletableFuture<Object> read = connection.readAttribute(DEVICE_ID, 1, 2);
        request();
        assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> reply(HexFormat.of().parseHex("0F" + "00000001" + "00" + "0100" + "1309" + "02" + "0604")));

        assertViolation(read, Bound.CLAIMED_LENGTH, "compact-array rows do not fill its contents");
    }

    @Test
    void aCountOf0x80IsCheckedAs128ElementsSinceGuruxReadsItSo() {
        // found by fuzzing ProfileRepliesFuzzTest: the bounds walk read a lone 0x80 as no elements, Gurux as 128, and
        // decoded what followed unchecked (there a compact-array cut short, which held it)
        CompletableFuture<Object> read = connection.readAttribute(DEVICE_ID, 1, 2);
        ByteArrayOutputStream apdu = getResponseNormal(request());
        apdu.writeBytes(HexFormat.of().parseHex("0180" + "1309" + "02" + "0604"));
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> reply(apdu.toByteArray()));

        assertViolation(read, Bound.CLAIMED_LENGTH, "array claims 128 elements");
    }

    @Test
    void aCompactArrayOfStringsThatFillItsContentsIsRead() {
        CompletableFuture<Object> read = connection.readAttribute(DEVICE_ID, 1, 2);
        ByteArrayOutputStream apdu = getResponseNormal(request());
        apdu.writeBytes(HexFormat.of().parseHex("1309" + "06" + "024142" + "024344")); // two octet-strings
        reply(apdu.toByteArray());

        assertThat(read.join()).asString().containsIgnoringCase("4142").containsIgnoringCase("4344");
    }

    @Test
    void aCompactArrayWhoseRowsFillItsContentsIsRead() {
        CompletableFuture<Object> read = connection.readAttribute(DEVICE_ID, 1, 2);
        ByteArrayOutputStream apdu = getResponseNormal(request());
        apdu.writeBytes(HexFormat.of().parseHex("1302021109" + "08" + "07024142" + "08024344")); // {u8, octets}
        reply(apdu.toByteArray());

        assertThat(read.join()).asString().contains("7").contains("8");
    }

    @Test
    void aClockWhoseDeviationNoZoneCanHaveComesAsItsBytes() {
        // found by DlmsConnectionRepliesFuzzTest: a deviation of -23:28 made java.time throw out of the read
        CompletableFuture<Object> read = connection.readAttribute(ObisCode.parse("0.0.1.0.0.255"), 8, 2);
        ByteArrayOutputStream apdu = getResponseNormal(request());
        apdu.writeBytes(HexFormat.of().parseHex("090C07EA0B1E0112000000FA8000"));
        reply(apdu.toByteArray());

        assertThat(read.join()).isEqualTo("07EA0B1E0112000000FA8000");
    }

    @Test
    void aScalerNoMeterUsesIsRefusedForThatValueAndNotPublished() {
        CompletableFuture<ReadResult> read = connection.read(List.of(VOLTAGE));
        ByteArrayOutputStream scalerUnit = getResponseNormal(request());
        scalerUnit.writeBytes(HexFormat.of().parseHex("02020F7F1623")); // {int8 127, enum V}
        reply(scalerUnit.toByteArray());
        ByteArrayOutputStream value = getResponseNormal(request());
        value.writeBytes(HexFormat.of().parseHex("1208FC")); // long-unsigned 2300
        reply(value.toByteArray());

        ReadResult result = read.join();
        assertThat(result.values()).isEmpty();
        assertThat(result.refusals()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo("scaler 127 outside -20..20");
            assertThat(r.result()).isEqualTo(250);
        });
        assertThat(channel.isActive()).as("a refused value leaves the association alone").isTrue();
    }

    @Test
    void aValueThatIsNotAFiniteNumberIsRefused() {
        CompletableFuture<ReadResult> read = connection.read(List.of(Measurement.parse("1/1.0.14.7.0.255/2")));
        ByteArrayOutputStream value = getResponseNormal(request());
        value.writeBytes(HexFormat.of().parseHex("177FC00000")); // float32 NaN
        reply(value.toByteArray());

        assertThat(read.join().refusals()).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo("value NaN is not a finite number"));
    }

    @Test
    void bytesArrivingWhileNothingIsAskedCloseTheConnectionAsAViolation() {
        reply(HexFormat.of().parseHex("0F000000010012 00E6".replace(" ", "")));

        assertThat(channel.isActive()).isFalse();
        assertThat(connection.closeCause()).isInstanceOfSatisfying(DlmsProtocolViolationException.class, e -> {
            assertThat(e.bound()).isEqualTo(Bound.UNSOLICITED_DATA);
            assertThat(e.getMessage()).isEqualTo(
                    "[meter-7] protocol violation: 17 bytes arrived while no request was outstanding");
        });
    }

    @Test
    void notificationsStreamedDuringAnExchangeEndItAtTheReplyBound() {
        CompletableFuture<Object> read = connection.readAttribute(DEVICE_ID, 1, 2);
        request();
        // data-notification: long-invoke-id, no date-time, an octet-string of 990 bytes; 1 008 bytes on the wire
        byte[] notification = new byte[1_000];
        System.arraycopy(HexFormat.of().parseHex("0F0000000100098203DE"), 0, notification, 0, 10);
        int sent = 0;
        while (channel.isActive() && sent < 1_000) {
            reply(notification);
            sent++;
        }
        assertThat(sent).isEqualTo(DlmsClientSettings.MIN_MAX_REPLY_BYTES / 1_008 + 1);
        assertViolation(read, Bound.REPLY_BYTES, "reply to GET 0.0.96.1.0.255 class 1 attribute 2 exceeds 65599"
                + " bytes (maxReplyBytes)");
    }

    @Test
    void aReadOfMoreMeasurementsThanTheBoundIsRefusedBeforeTheLoop() {
        List<Measurement> many = Collections.nCopies(DlmsConnection.MAX_MEASUREMENTS_PER_READ + 1, VOLTAGE);
        CompletableFuture<ReadResult> read = connection.read(many);
        assertThat(read).as("refused at once").isCompletedExceptionally();
        assertThatThrownBy(read::join).hasCauseInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("read of 1025 measurements refused: at most 1024 per read");
        channel.runPendingTasks();
        assertThat(channel.outboundMessages()).isEmpty();
    }

    private static void assertViolation(CompletableFuture<?> read, Bound bound, String message) {
        assertThatThrownBy(read::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(DlmsProtocolViolationException.class, e -> {
                    assertThat(e.bound()).isEqualTo(bound);
                    assertThat(e.getMessage()).startsWith("[meter-7] protocol violation: ").contains(message);
                });
    }

    /** The request the connection wrote last, as bytes (WRAPPER header and APDU). */
    private byte[] request() {
        channel.runPendingTasks();
        ByteBuf out = channel.readOutbound();
        assertThat(out).as("a request on the wire").isNotNull();
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /** get-response-normal with the request's invoke-id, result: data (the data follows). */
    private static ByteArrayOutputStream getResponseNormal(byte[] request) {
        ByteArrayOutputStream apdu = new ByteArrayOutputStream();
        apdu.write(0xC4);
        apdu.write(0x01);
        apdu.write(request[10]);
        apdu.write(0x00);
        return apdu;
    }

    /** Sends an APDU in a WRAPPER frame from the meter (wPort 1) to the client (wPort 16). */
    private void reply(byte[] apdu) {
        ByteBuf frame = Unpooled.buffer(8 + apdu.length);
        frame.writeShort(1).writeShort(1).writeShort(16).writeShort(apdu.length).writeBytes(apdu);
        channel.writeInbound(frame);
        channel.runPendingTasks();
    }
}
