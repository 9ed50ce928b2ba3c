package io.dlmsgateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.dlms.CosemDateTime;
import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.DlmsType;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.gateway.DlmsJson.DeviceClock;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 12: JSON to and from DLMS values, as the RPCs, attribute writes and push telemetry use it. */
class DlmsJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void integersAreTakenInTheirTypesRangeOnly() {
        assertThat(DlmsJson.value(json("1500"), DlmsType.LONG_UNSIGNED))
                .isEqualTo(DlmsValue.integer(DlmsType.LONG_UNSIGNED, 1500));
        assertThat(DlmsJson.value(json("-128"), DlmsType.INTEGER)).isEqualTo(DlmsValue.integer(DlmsType.INTEGER, -128));
        assertThatThrownBy(() -> DlmsJson.value(json("65536"), DlmsType.LONG_UNSIGNED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..65535");
        assertThatThrownBy(() -> DlmsJson.value(json("1.5"), DlmsType.UNSIGNED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..255").hasMessageContaining("1.5");
        assertThatThrownBy(() -> DlmsJson.value(json("\"12\""), DlmsType.DOUBLE_LONG))
                .hasMessageContaining("whole number");
        assertThatThrownBy(() -> DlmsJson.value(json("99999999999999999999"), DlmsType.LONG64_UNSIGNED))
                .hasMessageContaining("long64-unsigned");
        assertThat(DlmsJson.value(json("4"), DlmsType.ENUM)).isEqualTo(DlmsValue.integer(DlmsType.ENUM, 4));
    }

    @Test
    void octetStringsAreHexOrAsciiText() {
        assertThat(DlmsJson.value(json("\"4142\""), DlmsType.OCTET_STRING).octets()).containsExactly(0x41, 0x42);
        assertThat(DlmsJson.typed(json("{\"type\":\"octet-string\",\"text\":\"AB\"}"), null).octets())
                .containsExactly(0x41, 0x42);
        assertThatThrownBy(() -> DlmsJson.value(json("\"41G2\""), DlmsType.OCTET_STRING))
                .hasMessageContaining("hex digits");
        assertThatThrownBy(() -> DlmsJson.value(json("\"414\""), DlmsType.OCTET_STRING))
                .hasMessageContaining("hex digits");
        JsonNode out = DlmsJson.json(DlmsValue.octets("note".getBytes(StandardCharsets.US_ASCII)));
        assertThat(out.toString()).isEqualTo("{\"type\":\"octet-string\",\"value\":\"6e6f7465\",\"text\":\"note\"}");
        assertThat(DlmsJson.json(DlmsValue.octets(new byte[]{0, 1})).has("text")).isFalse();
    }

    @Test
    void dateTimeInstantsAreWrittenAtTheMetersClockAndDeviationSign() {
        DeviceClock cet = new DeviceClock(ZoneOffset.ofHours(1), DeviationSign.STANDARD);
        DlmsValue value = DlmsJson.value(json("\"2026-12-01T10:00:00Z\""), DlmsType.DATE_TIME, cet);
        CosemDateTime written = CosemDateTime.decode(value.octets());
        assertThat(written.hour()).isEqualTo(11);
        assertThat(written.deviation()).isEqualTo(-60);
        assertThat(written.toInstant(DeviationSign.STANDARD, ZoneOffset.UTC))
                .contains(Instant.parse("2026-12-01T10:00:00Z"));

        DeviceClock inverted = new DeviceClock(ZoneOffset.ofHours(1), DeviationSign.INVERTED);
        CosemDateTime other = CosemDateTime.decode(
                DlmsJson.value(json("\"2026-12-01T10:00:00Z\""), DlmsType.DATE_TIME, inverted).octets());
        assertThat(other.hour()).isEqualTo(11);
        assertThat(other.deviation()).isEqualTo(60);

        JsonNode back = DlmsJson.json(value, cet);
        assertThat(back.get("value").asText()).isEqualTo("2026-12-01T10:00:00Z");
        assertThat(back.get("raw").asText()).hasSize(24);
        assertThat(DlmsJson.typed(back, null, cet)).isEqualTo(value);

        String raw = "07ea0c01020a0000000000ff";
        assertThat(DlmsJson.value(json("\"" + raw + "\""), DlmsType.DATE_TIME).octets())
                .isEqualTo(HexFormat.of().parseHex(raw));
        assertThatThrownBy(() -> DlmsJson.value(json("\"yesterday\""), DlmsType.DATE_TIME))
                .hasMessageContaining("ISO-8601");
    }

    @Test
    void typedValuesNameTheirTypeOrTakeTheFallbackOrTheirNaturalOne() {
        assertThat(DlmsJson.typed(json("{\"type\":\"long-unsigned\",\"value\":1500}"), DlmsType.UNSIGNED))
                .isEqualTo(DlmsValue.integer(DlmsType.LONG_UNSIGNED, 1500));
        assertThat(DlmsJson.typed(json("1500"), DlmsType.LONG_UNSIGNED))
                .isEqualTo(DlmsValue.integer(DlmsType.LONG_UNSIGNED, 1500));
        assertThat(DlmsJson.typed(json("0"), null)).isEqualTo(DlmsValue.integer(DlmsType.DOUBLE_LONG, 0));
        assertThat(DlmsJson.typed(json("2.5"), null)).isEqualTo(new DlmsValue(DlmsType.FLOAT64, 2.5));
        assertThat(DlmsJson.typed(json("true"), null)).isEqualTo(DlmsValue.bool(true));
        assertThat(DlmsJson.typed(json("\"abc\""), null)).isEqualTo(DlmsValue.visible("abc"));
        assertThat(DlmsJson.typed(json("null"), null)).isEqualTo(DlmsValue.NULL);
        assertThatThrownBy(() -> DlmsJson.typed(json("{\"type\":\"longunsigned\",\"value\":1}"), null))
                .hasMessageContaining("unknown type 'longunsigned'").hasMessageContaining("long-unsigned");
        assertThatThrownBy(() -> DlmsJson.typed(json("{\"value\":1}"), null)).hasMessageContaining("\"type\"");
    }

    @Test
    void structuresAreJsonArraysOfTypedValuesAndRoundTrip() {
        DlmsValue value = DlmsJson.typed(json("{\"type\":\"structure\",\"value\":[{\"type\":\"unsigned\",\"value\":1},"
                + "{\"type\":\"visible-string\",\"value\":\"x\"},[{\"type\":\"boolean\",\"value\":false}]]}"), null);
        assertThat(value).isEqualTo(DlmsValue.structure(List.of(DlmsValue.integer(DlmsType.UNSIGNED, 1),
                DlmsValue.visible("x"), DlmsValue.structure(List.of(DlmsValue.bool(false))))));
        assertThat(DlmsJson.typed(DlmsJson.json(value), null)).isEqualTo(value);
        assertThatThrownBy(() -> DlmsJson.value(json("{}"), DlmsType.ARRAY)).hasMessageContaining("JSON array");
    }

    @Test
    void nestingIsBounded() {
        String deep = "[".repeat(DlmsJson.MAX_DEPTH + 2) + "]".repeat(DlmsJson.MAX_DEPTH + 2);
        assertThatThrownBy(() -> DlmsJson.typed(json(deep), null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deeper than " + DlmsJson.MAX_DEPTH);
    }

    @Test
    void aBareValueTakesTheTypesOfTheCurrentValue() {
        DlmsValue current = DlmsValue.structure(List.of(DlmsValue.integer(DlmsType.LONG_UNSIGNED, 1),
                DlmsValue.octets(new byte[]{1})));
        assertThat(DlmsJson.like(json("[7, \"0a0b\"]"), current, DeviceClock.UTC)).isEqualTo(DlmsValue.structure(
                List.of(DlmsValue.integer(DlmsType.LONG_UNSIGNED, 7), DlmsValue.octets(new byte[]{10, 11}))));
        assertThat(DlmsJson.like(json("1500"), DlmsValue.integer(DlmsType.LONG_UNSIGNED, 0), DeviceClock.UTC))
                .isEqualTo(DlmsValue.integer(DlmsType.LONG_UNSIGNED, 1500));
        assertThat(DlmsJson.like(json("{\"type\":\"double-long\",\"value\":-1}"),
                DlmsValue.integer(DlmsType.LONG_UNSIGNED, 0), DeviceClock.UTC))
                .isEqualTo(DlmsValue.integer(DlmsType.DOUBLE_LONG, -1));
        assertThatThrownBy(() -> DlmsJson.like(json("\"x\""), DlmsValue.integer(DlmsType.LONG_UNSIGNED, 0),
                DeviceClock.UTC)).hasMessageContaining("long-unsigned takes a whole number in 0..65535");
    }
}
