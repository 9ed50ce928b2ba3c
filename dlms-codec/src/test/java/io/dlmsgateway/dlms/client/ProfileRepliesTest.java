package io.dlmsgateway.dlms.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dlmsgateway.dlms.CosemDateTime;
import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.frame.WrapperFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Profile replies no simulated meter sends, fed frame by frame to a live {@link DlmsConnection} on an
 * {@link EmbeddedChannel} (WRAPPER, no association, so every attribute is a single GET): a buffer that is not an
 * array of rows of the column count, rows whose clock cannot be read, a clock flagged doubtful.
 */
class ProfileRepliesTest {

    private static final ObisCode PROFILE = ObisCode.parse("1.0.99.1.0.255");
    /** Capture objects: the clock (8/0.0.1.0.0.255/2) and an event code (1/0.0.96.11.0.255/2): nothing to scale. */
    private static final String CAPTURE_OBJECTS = "0102"
            + "020412000809060000010000FF0F02120000"
            + "020412000109060000600B00FF0F02120000";
    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

    private EmbeddedChannel channel;
    private DlmsConnection connection;

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel(new WrapperFrameDecoder());
        connection = DlmsConnection.unassociated(channel, DlmsClientSettings.builder().build(), "meter-7");
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    /** Answers the shape's four GETs: capture objects, a 900 s period, 2 entries in use of 2. */
    private void answerShape() {
        reply(data(request(), CAPTURE_OBJECTS));
        reply(data(request(), "0600000384"));
        reply(data(request(), "0600000002"));
        reply(data(request(), "0600000002"));
    }

    private static String clock(Instant t, int status) {
        return "090C" + HexFormat.of().formatHex(CosemDateTime.of(t, ZoneOffset.UTC, DeviationSign.STANDARD, status)
                .encode());
    }

    @Test
    void rowsOfTheWrongColumnCountAreAProtocolErrorNamingMeterAndProfile() {
        CompletableFuture<ProfileRows> read = connection.readProfileEntries(PROFILE, 1, 0, Priority.SCHEDULED);
        answerShape();
        reply(data(request(), "0101" + "0203" + clock(T0, 0) + "1105" + "1106"));

        assertThatThrownBy(read::join).isInstanceOf(CompletionException.class).cause()
                .isInstanceOfSatisfying(DlmsProtocolException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("[meter-7] profile 1.0.99.1.0.255: buffer row 0 is not a "
                            + "structure of 2 values: structure or array of 3");
                    assertThat(e.isConnectionLost()).isFalse();
                });
        assertThat(channel.isActive()).as("the reply was well-formed DLMS: the association stays").isTrue();
    }

    @Test
    void aBufferThatIsNotAnArrayIsAProtocolError() {
        CompletableFuture<ProfileRows> read = connection.readProfileRange(PROFILE, T0, T0.plusSeconds(900),
                Priority.SCHEDULED);
        answerShape();
        reply(data(request(), "0600000001"));

        assertThatThrownBy(read::join).isInstanceOf(CompletionException.class).cause()
                .isInstanceOf(DlmsProtocolException.class)
                .hasMessageStartingWith("[meter-7] profile 1.0.99.1.0.255: buffer is not an array of rows");
    }

    @Test
    void aClockColumnHoldingNoDateTimeIsAProtocolError() {
        CompletableFuture<ProfileRows> read = connection.readProfileEntries(PROFILE, 1, 0, Priority.SCHEDULED);
        answerShape();
        reply(data(request(), "0101" + "0202" + "0600000001" + "1105"));

        assertThatThrownBy(read::join).isInstanceOf(CompletionException.class).cause()
                .isInstanceOf(DlmsProtocolException.class)
                .hasMessageContaining("buffer row 0 has no date-time in its clock column");
    }

    @Test
    void aFirstRowWithoutClockHasNoTimeAndTheNextDerivesNone() {
        CompletableFuture<ProfileRows> read = connection.readProfileEntries(PROFILE, 1, 0, Priority.SCHEDULED);
        answerShape();
        // null-data, then a date-time with every field unspecified (as some meters fill a compressed row), then one
        String unspecified = "090C" + "FF".repeat(9) + "8000" + "FF";
        reply(data(request(), "0103" + "0202" + "00" + "1105" + "0202" + unspecified + "1106" + "0202"
                + clock(T0, 0) + "1107"));

        ProfileRows rows = read.join();
        assertThat(rows.rows()).extracting(ProfileRow::time).containsExactly(null, null, T0);
        assertThat(rows.rows().get(0).dateTime()).isNull();
        assertThat(rows.rows().get(1).dateTime()).as("kept as sent").isNotNull();
        assertThat(rows.rows().get(1).timeDerived()).isFalse();
        assertThat(rows.rows().get(0).values()).containsExactly(null, 5L);
    }

    @Test
    void aRowAfterOneWithATimeDerivesItsOwnAndAnUntrustedClockIsFlagged() {
        CompletableFuture<ProfileRows> read = connection.readProfileEntries(PROFILE, 1, 0, Priority.SCHEDULED);
        answerShape();
        reply(data(request(), "0102" + "0202" + clock(T0, CosemDateTime.STATUS_DOUBTFUL) + "1105"
                + "0202" + "00" + "1106"));

        ProfileRows rows = read.join();
        assertThat(rows.rows()).extracting(ProfileRow::time).containsExactly(T0, T0.plusSeconds(900));
        assertThat(rows.rows()).extracting(ProfileRow::timeDerived).containsExactly(false, true);
        assertThat(rows.rows().get(0).clockUntrusted()).isTrue();
        assertThat(rows.rows().get(1).values()).containsExactly(T0.plusSeconds(900).toString(), 6L);
    }

    @Test
    void aRefusalAsExceptionResponseIsAnAccessErrorAndTheAssociationStays() {
        CompletableFuture<ProfileRows> read = connection.readProfileRange(PROFILE, T0, T0.plusSeconds(900),
                Priority.SCHEDULED);
        answerShape();
        request();
        reply(HexFormat.of().parseHex("D80102")); // exception-response: service-not-allowed, operation-not-possible

        assertThatThrownBy(read::join).isInstanceOf(CompletionException.class).cause()
                .isInstanceOfSatisfying(DlmsAccessException.class, e -> {
                    assertThat(e.attributeIndex()).isEqualTo(2);
                    assertThat(e.resultName()).isEqualTo("other-reason");
                    assertThat(e.isConnectionLost()).isFalse();
                });
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void aCaptureObjectWithA64BitDataIndexIsAProtocolErrorNotAnArithmeticOne() {
        // found by ProfileRepliesFuzzTest: Gurux's GXUInt64 throws ArithmeticException when narrowed to an int
        CompletableFuture<ProfileRows> read = connection.readProfileEntries(PROFILE, 1, 0, Priority.SCHEDULED);
        reply(data(request(), "0101" + "020412000809060000010000FF0F0215FFFFFFFFFFFFFFFF"));

        assertThatThrownBy(read::join).isInstanceOf(CompletionException.class).cause()
                .isInstanceOf(DlmsProtocolException.class)
                .hasMessageContaining("capture object 0 is not {class_id, logical_name, attribute_index, data_index}");
    }

    @Test
    void aScalerUnitWithA64BitScalerIsAProtocolErrorNotAnArithmeticOne() {
        // the register read path had the same narrowing (byteValue() on a GXUInt64) since before profiles
        CompletableFuture<ProfileRows> read = connection.readProfileEntries(PROFILE, 1, 0, Priority.SCHEDULED);
        reply(data(request(), "0101" + "020412000309060100010800FF0F02120000"));
        reply(data(request(), "0600000384"));
        reply(data(request(), "0600000002"));
        reply(data(request(), "0600000002"));
        reply(data(request(), "020215FFFFFFFFFFFFFFFF161E"));

        assertThatThrownBy(read::join).isInstanceOf(CompletionException.class).cause()
                .isInstanceOf(DlmsProtocolException.class)
                .hasMessageContaining("scaler_unit of 1.0.1.8.0.255 is not {int8, enum}");
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

    /** get-response-normal with the request's invoke-id, result: data. */
    private static byte[] data(byte[] request, String hexData) {
        ByteArrayOutputStream apdu = new ByteArrayOutputStream();
        apdu.write(0xC4);
        apdu.write(0x01);
        apdu.write(request[10]);
        apdu.write(0x00);
        apdu.writeBytes(HexFormat.of().parseHex(hexData));
        return apdu.toByteArray();
    }

    /** Sends an APDU in a WRAPPER frame from the meter (wPort 1) to the client (wPort 16). */
    private void reply(byte[] apdu) {
        ByteBuf frame = Unpooled.buffer(8 + apdu.length);
        frame.writeShort(1).writeShort(1).writeShort(16).writeShort(apdu.length).writeBytes(apdu);
        channel.writeInbound(frame);
        channel.runPendingTasks();
    }
}
