package io.dlmsgateway.dlms.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Optional;

/**
 * Any bytes, as a meter (or anyone) may push them, decode to a notification or to {@link NotificationException};
 * nothing else comes out. Keys are known for every system title, so that ciphered inputs reach the deciphering.
 */
class NotificationDecoderFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void decodes(byte[] input) {
        Notification n;
        try {
            n = NotificationDecoder.decode(input, st -> Optional.of(NotificationDecoderTest.KEYS));
        } catch (NotificationException expected) {
            assertThat(expected.getMessage()).isNotBlank();
            return;
        }
        assertThat(n.body()).isNotNull();
    }
}
