package io.dlmsgateway.dlms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CosemDateTimeTest {

    private static final Instant NOON_UTC = Instant.parse("2026-03-10T12:00:00Z");

    /** 2026-03-10 13:00:00 local in CET, as the Blue Book writes it: deviation -60 (0xFFC4), status 0. */
    private static final byte[] CET_STANDARD = {0x07, (byte) 0xEA, 3, 10, 2, 13, 0, 0, 0, (byte) 0xFF, (byte) 0xC4,
            0};

    @Test
    void theBlueBookSignMeansUtcIsLocalPlusDeviation() {
        CosemDateTime t = CosemDateTime.decode(CET_STANDARD);
        assertEquals(-60, t.deviation());
        assertEquals(Optional.of(NOON_UTC), t.toInstant(DeviationSign.STANDARD, ZoneOffset.UTC));
        // read by a gateway that believes the meter inverts the sign, the same bytes are two hours off
        assertEquals(Optional.of(NOON_UTC.plusSeconds(7200)), t.toInstant(DeviationSign.INVERTED, ZoneOffset.UTC));
    }

    @Test
    void anInvertingMeterSendsPlusSixtyForCet() {
        CosemDateTime t = CosemDateTime.of(NOON_UTC, ZoneOffset.ofHours(1), DeviationSign.INVERTED, 0);
        assertEquals(60, t.deviation());
        assertEquals(13, t.hour());
        assertEquals(Optional.of(NOON_UTC), CosemDateTime.decode(t.encode()).toInstant(DeviationSign.INVERTED,
                ZoneOffset.UTC));
    }

    @Test
    void encodesWhatItDecodes() {
        assertArrayEquals(CET_STANDARD, CosemDateTime.decode(CET_STANDARD).encode());
        assertEquals(CosemDateTime.decode(CET_STANDARD),
                CosemDateTime.of(NOON_UTC, ZoneOffset.ofHours(1), DeviationSign.STANDARD, 0));
    }

    @Test
    void anUnspecifiedDeviationTakesTheAssumedOffset() {
        byte[] octets = CET_STANDARD.clone();
        octets[9] = (byte) 0x80;
        octets[10] = 0;
        CosemDateTime t = CosemDateTime.decode(octets);
        assertEquals(CosemDateTime.DEVIATION_NOT_SPECIFIED, t.deviation());
        assertEquals(Optional.of(NOON_UTC.plusSeconds(3600)), t.toInstant(DeviationSign.STANDARD, ZoneOffset.UTC));
        assertEquals(Optional.of(NOON_UTC), t.toInstant(DeviationSign.STANDARD, ZoneOffset.ofHours(1)));
    }

    @Test
    void aDateTimeWithUnspecifiedFieldsNamesNoInstant() {
        byte[] empty = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, (byte) 0x80, 0, (byte) 0xFF};
        assertEquals(Optional.empty(), CosemDateTime.decode(empty).toInstant(DeviationSign.STANDARD, ZoneOffset.UTC));
        byte[] february30 = CET_STANDARD.clone();
        february30[2] = 2;
        february30[3] = 30;
        assertEquals(Optional.empty(), CosemDateTime.decode(february30).toInstant(DeviationSign.STANDARD,
                ZoneOffset.UTC));
        byte[] farDeviation = CET_STANDARD.clone();
        farDeviation[9] = 0x7F;
        farDeviation[10] = 0;
        assertEquals(Optional.empty(), CosemDateTime.decode(farDeviation).toInstant(DeviationSign.STANDARD,
                ZoneOffset.UTC));
    }

    @Test
    void clockStatusBits() {
        assertTrue(CosemDateTime.of(NOON_UTC, ZoneOffset.UTC, DeviationSign.STANDARD, 0).trusted());
        assertTrue(CosemDateTime.of(NOON_UTC, ZoneOffset.UTC, DeviationSign.STANDARD, 0x01).invalid());
        assertTrue(CosemDateTime.of(NOON_UTC, ZoneOffset.UTC, DeviationSign.STANDARD, 0x08).invalid());
        assertTrue(CosemDateTime.of(NOON_UTC, ZoneOffset.UTC, DeviationSign.STANDARD, 0x02).doubtful());
        assertTrue(CosemDateTime.of(NOON_UTC, ZoneOffset.UTC, DeviationSign.STANDARD, 0x80).trusted());
        CosemDateTime unspecified = CosemDateTime.of(NOON_UTC, ZoneOffset.UTC, DeviationSign.STANDARD, 0xFF);
        assertFalse(unspecified.statusSpecified());
        assertTrue(unspecified.trusted());
    }

    @Test
    void refusesOtherLengths() {
        assertThrows(IllegalArgumentException.class, () -> CosemDateTime.decode(new byte[11]));
    }
}
