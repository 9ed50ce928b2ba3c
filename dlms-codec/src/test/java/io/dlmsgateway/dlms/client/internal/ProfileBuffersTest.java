package io.dlmsgateway.dlms.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import gurux.dlms.GXByteBuffer;
import gurux.dlms.enums.DataType;
import gurux.dlms.internal.GXCommon;
import io.dlmsgateway.dlms.CosemDateTime;
import io.dlmsgateway.dlms.DeviationSign;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The bounds of a range read go on the wire as exactly the octets {@link CosemDateTime} makes of them. */
class ProfileBuffersTest {

    @ParameterizedTest(name = "{0} at {1} {2}")
    @CsvSource({
            "2026-11-30T12:07:30Z, +00:00, STANDARD",
            "2026-11-30T12:07:30.47Z, +01:00, STANDARD",
            "2026-11-30T12:07:30.47Z, +01:00, INVERTED",
            "2026-03-29T01:30:00Z, +02:00, STANDARD",
            "2026-12-31T23:59:59.99Z, -05:00, INVERTED",
            "2027-01-03T00:00:00Z, +05:45, STANDARD",
            "2026-06-01T00:00:00Z, -09:30, STANDARD"})
    void guruxWritesTheDateTimeOctetsCosemDateTimeMakes(String instant, String offset, DeviationSign sign) {
        CosemDateTime expected = CosemDateTime.of(Instant.parse(instant), ZoneOffset.of(offset), sign, 0);

        GXByteBuffer written = new GXByteBuffer();
        GXCommon.setData(null, written, DataType.OCTET_STRING, ProfileBuffers.toGurux(expected));

        byte[] bytes = written.array();
        assertThat(bytes[0]).as("octet-string tag").isEqualTo((byte) 0x09);
        assertThat(bytes[1]).as("length").isEqualTo((byte) 12);
        assertThat(Arrays.copyOfRange(bytes, 2, bytes.length)).isEqualTo(expected.encode());
    }

    @ParameterizedTest
    @CsvSource({"0x02", "0x81", "0xFF"})
    void aClockStatusIsWrittenAsGiven(String status) {
        CosemDateTime expected = CosemDateTime.of(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC,
                DeviationSign.STANDARD, Integer.decode(status));

        GXByteBuffer written = new GXByteBuffer();
        GXCommon.setData(null, written, DataType.OCTET_STRING, ProfileBuffers.toGurux(expected));

        byte[] bytes = written.array();
        assertThat(Arrays.copyOfRange(bytes, 2, bytes.length)).isEqualTo(expected.encode());
    }
}
