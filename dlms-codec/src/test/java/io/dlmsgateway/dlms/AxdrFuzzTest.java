package io.dlmsgateway.dlms;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any bytes decode to a value or to {@link IllegalArgumentException}, nothing else; what decodes encodes back to
 * the same bytes (A-XDR has one encoding per value, lengths aside: a long-form length may be shorter when re-encoded).
 */
class AxdrFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void decodes(byte[] input) {
        DlmsValue value;
        try {
            value = Axdr.decode(input);
        } catch (IllegalArgumentException expected) {
            return;
        }
        assertThat(Axdr.decode(Axdr.encode(value))).isEqualTo(value);
    }
}
