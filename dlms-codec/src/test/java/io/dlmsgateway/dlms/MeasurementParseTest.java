package io.dlmsgateway.dlms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** One reading of "what to read" entries, for configuration, RPC parameters and the command line alike. */
class MeasurementParseTest {

    @Test
    void anObisCodeIsARegisterValueNamedByItsDottedForm() {
        assertThat(Measurement.parse("1.0.32.7.0.255"))
                .isEqualTo(new Measurement("1.0.32.7.0.255", ObisCode.parse("1.0.32.7.0.255"), 3, 2));
        assertThat(Measurement.parse(" 1-0:14.7.0*255 "))
                .isEqualTo(new Measurement("1.0.14.7.0.255", ObisCode.parse("1.0.14.7.0.255"), 3, 2))
                .matches(Measurement::isScaled);
    }

    @Test
    void classObisAttributeReadsAnyAttributeNamedByItsNormalisedForm() {
        Measurement clock = Measurement.parse("8/0-0:1.0.0*255/2");
        assertThat(clock).isEqualTo(new Measurement("8/0.0.1.0.0.255/2", MeasurementCatalog.CLOCK, 8, 2));
        assertThat(clock.isScaled()).isFalse();
        assertThat(Measurement.parse("1/0.0.96.1.0.255/2").classId()).isEqualTo(Measurement.CLASS_DATA);
        assertThat(Measurement.parse("3/1.0.32.7.0.255/2").isScaled()).as("a register's value is scaled").isTrue();
    }

    @Test
    void malformedEntriesSayWhatIsWrong() {
        assertThatThrownBy(() -> Measurement.parse("1.0.32.7.0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed OBIS code '1.0.32.7.0'");
        assertThatThrownBy(() -> Measurement.parse("8/0.0.1.0.0.255/200"))
                .hasMessageContaining("attribute 200 is outside 1..127");
        assertThatThrownBy(() -> Measurement.parse("0/0.0.1.0.0.255/2")).hasMessageContaining("class id 0");
        assertThatThrownBy(() -> Measurement.parse("8/0.0.1.0.0.255")).hasMessageContaining("CLASS/A.B.C.D.E.F/ATTRIBUTE");
        assertThatThrownBy(() -> Measurement.parse(" ")).hasMessageContaining("empty entry");
    }

    @Test
    void resolveTriesTheDevicesOwnNamesThenTheCatalogueThenAnAddress() {
        Measurement ownVoltage = new Measurement("voltage_l1", ObisCode.parse("1.0.32.7.128.255"), 3, 2);
        Measurement serial = new Measurement("serial", ObisCode.parse("0.0.96.1.0.255"), 1, 2);
        List<Measurement> own = List.of(ownVoltage, serial);

        assertThat(MeasurementCatalog.resolve("voltage_l1", own)).as("the device's own first").isSameAs(ownVoltage);
        assertThat(MeasurementCatalog.resolve("serial", own)).isSameAs(serial);
        assertThat(MeasurementCatalog.resolve("frequency", own)).isSameAs(MeasurementCatalog.require("frequency"));
        assertThat(MeasurementCatalog.resolve("1.0.14.7.0.255", own)).isEqualTo(Measurement.parse("1.0.14.7.0.255"));
        assertThat(MeasurementCatalog.resolve("8/0.0.1.0.0.255/2", List.of()).classId()).isEqualTo(8);
        assertThatThrownBy(() -> MeasurementCatalog.resolve("not-a-measurement", own))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'not-a-measurement' is neither a measurement name nor an OBIS code");
    }
}
