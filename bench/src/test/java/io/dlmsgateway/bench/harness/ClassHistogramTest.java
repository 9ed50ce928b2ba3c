package io.dlmsgateway.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClassHistogramTest {

    @Test
    void liveBytesAreTheTotalWithoutTheCollectorsFillers() {
        String jdk25 = """
                32011:
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:          7054        7083200  [Ljdk.internal.vm.FillerElement; (java.base@25.0.3)
                   2:         60532        4513264  [B (java.base@25.0.3)
                   3:         10000        2480000  gurux.dlms.GXDLMSSettings
                Total        77586       14076464
                """;

        assertThat(ClassHistogram.liveBytes(jdk25)).hasValue(14_076_464 - 7_083_200);
    }

    @Test
    void withoutNamedFillersTheTotalIsLive() {
        // JDK 17 fills dead space with int[], which cannot be told from real arrays
        String jdk17 = """
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:          3000         565000  [I (java.base@17.0.15)
                   2:           100           2400  java.lang.String (java.base@17.0.15)
                Total          3100         567400
                """;

        assertThat(ClassHistogram.liveBytes(jdk17)).hasValue(567_400);
    }

    @Test
    void noTotalNoFigure() {
        assertThat(ClassHistogram.liveBytes("class histogram not written: java.io.IOException")).isEmpty();
    }
}
