package io.dlmsgateway.dlms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gurux.dlms.GXByteBuffer;
import gurux.dlms.enums.DataType;
import gurux.dlms.internal.GXCommon;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class AxdrTest {

    private static final HexFormat HEX = HexFormat.of();

    static List<Object[]> scalars() {
        return List.of(
                new Object[] {DlmsValue.integer(DlmsType.LONG_UNSIGNED, 1500), "1205dc", DataType.UINT16, 1500},
                new Object[] {DlmsValue.integer(DlmsType.INTEGER, -1), "0fff", DataType.INT8, (byte) -1},
                new Object[] {DlmsValue.integer(DlmsType.UNSIGNED, 255), "11ff", DataType.UINT8, (short) 255},
                new Object[] {DlmsValue.integer(DlmsType.LONG, -2), "10fffe", DataType.INT16, (short) -2},
                new Object[] {DlmsValue.integer(DlmsType.DOUBLE_LONG, -70000), "05fffeee90", DataType.INT32, -70000},
                new Object[] {DlmsValue.integer(DlmsType.DOUBLE_LONG_UNSIGNED, 4_000_000_000L), "06ee6b2800",
                        DataType.UINT32, 4_000_000_000L},
                new Object[] {DlmsValue.integer(DlmsType.LONG64, -5), "14fffffffffffffffb", DataType.INT64, -5L},
                new Object[] {DlmsValue.integer(DlmsType.ENUM, 2), "1602", DataType.ENUM, 2},
                new Object[] {DlmsValue.bool(true), "0301", DataType.BOOLEAN, true},
                new Object[] {DlmsValue.octets(new byte[] {0x41, 0x42}), "09024142", DataType.OCTET_STRING,
                        new byte[] {0x41, 0x42}},
                new Object[] {DlmsValue.visible("AB"), "0a024142", DataType.STRING, "AB"},
                new Object[] {new DlmsValue(DlmsType.FLOAT64, 1.5), "183ff8000000000000", DataType.FLOAT64, 1.5},
                new Object[] {new DlmsValue(DlmsType.FLOAT32, 1.5), "173fc00000", DataType.FLOAT32, 1.5f},
                new Object[] {DlmsValue.NULL, "00", DataType.NONE, null});
    }

    @ParameterizedTest
    @MethodSource("scalars")
    void scalarsEncodeAsGuruxAndTheBlueBookDoAndDecodeBack(DlmsValue value, String hex, DataType guruxType,
            Object guruxValue) {
        assertThat(HEX.formatHex(Axdr.encode(value))).isEqualTo(hex);
        GXByteBuffer gurux = new GXByteBuffer();
        GXCommon.setData(null, gurux, guruxType, guruxValue);
        assertThat(HEX.formatHex(gurux.array())).isEqualTo(hex);
        assertThat(Axdr.decode(HEX.parseHex(hex))).isEqualTo(value);
    }

    @Test
    void nestedStructureAndBitStringAndLongLengthsRoundTrip() {
        DlmsValue body = DlmsValue.structure(List.of(
                DlmsValue.octets("GRXSIM0000000001".getBytes()),
                new DlmsValue(DlmsType.DATE_TIME, HEX.parseHex("07ea0c0102000000000000ff")),
                DlmsValue.array(List.of(DlmsValue.integer(DlmsType.LONG_UNSIGNED, 1), DlmsValue.NULL)),
                new DlmsValue(DlmsType.BIT_STRING, "1010000011"),
                DlmsValue.octets(new byte[300])));
        byte[] encoded = Axdr.encode(body);
        assertThat(HEX.formatHex(encoded, 0, 4)).isEqualTo("02050910");
        // the bit-string: tag 4, 10 bits, 0xA0 0xC0
        assertThat(HEX.formatHex(encoded)).contains("040aa0c0").contains("09820" + "12c");
        assertThat(Axdr.decode(encoded)).isEqualTo(body);
    }

    @Test
    void badInputIsNamedWithItsOffset() {
        assertThatThrownBy(() -> Axdr.decode(HEX.parseHex("0105")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("claims 5 elements, only 0");
        assertThatThrownBy(() -> Axdr.decode(HEX.parseHex("0983ffffff00")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("claims 16777215 bytes");
        assertThatThrownBy(() -> Axdr.decode(HEX.parseHex("1301")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("compact-array");
        assertThatThrownBy(() -> Axdr.decode(HEX.parseHex("12")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ends early");
        assertThatThrownBy(() -> Axdr.decode(HEX.parseHex("15ffffffffffffffff")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("long64-unsigned");
        assertThatThrownBy(() -> Axdr.decode(HEX.parseHex("0000")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 bytes after the value");
        byte[] deep = new byte[2 * (Axdr.MAX_DEPTH + 1) + 1];
        for (int i = 0; i < Axdr.MAX_DEPTH + 1; i++) {
            deep[2 * i] = 1;
            deep[2 * i + 1] = 1;
        }
        assertThatThrownBy(() -> Axdr.decode(deep))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than 64 levels deep");
    }

    @Test
    void valuesOutsideTheirTypeAreRefusedWhereTheyAreMade() {
        assertThatThrownBy(() -> DlmsValue.integer(DlmsType.LONG_UNSIGNED, 70_000))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("long-unsigned takes 0..65535, not 70000");
        assertThatThrownBy(() -> new DlmsValue(DlmsType.DATE_TIME, new byte[3]))
                .hasMessage("date-time needs 12 octets, got 3");
    }
}
