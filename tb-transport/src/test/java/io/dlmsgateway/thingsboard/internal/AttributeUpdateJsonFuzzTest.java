package io.dlmsgateway.thingsboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.thingsboard.AttributeUpdate;

/**
 * Issue 14, fuzzing: any bytes on {@code v1/gateway/attributes}, as they enter the gateway. The reading is total:
 * every input is an update, a malformed message (logged) or an ignored echo, never an exception; an update handed on
 * names a device within ThingsBoard's bound and carries an object of values.
 */
class AttributeUpdateJsonFuzzTest {

    private static final IncomingJson JSON = new IncomingJson(new ObjectMapper(), 512);

    @FuzzTest(maxDuration = "5s")
    void attributeUpdates(byte[] payload) {
        IncomingJson.Attributes result = JSON.attributes(payload);
        assertThat(result).isNotNull();
        if (result instanceof IncomingJson.Update update) {
            AttributeUpdate u = update.update();
            assertThat(payload.length).isLessThanOrEqualTo(JSON.maxBytes());
            assertThat(u.device()).isNotEmpty().hasSizeLessThanOrEqualTo(IncomingJson.MAX_NAME_CHARS);
            assertThat(u.values().isObject()).isTrue();
            assertThat(u.values().has("deleted") && u.values().get("deleted").isArray()).isFalse();
        } else if (result instanceof IncomingJson.Malformed malformed) {
            assertThat(malformed.reason()).isNotBlank();
        }
    }
}
