package io.dlmsgateway.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.dlmsgateway.thingsboard.RpcRefusedException;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: a {@code read} of 100 000 OBIS codes kept an event loop busy for 17 s. The params are checked and bounded
 * before the fleet sees them: at most {@link DeviceRpcRouter#MAX_OBJECTS_PER_READ} objects, strings only, each bounded,
 * duplicates read once; the refusal says the bound.
 */
class DeviceRpcRouterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String refusal(JsonNode params) {
        RpcRefusedException e = catchThrowableOfType(RpcRefusedException.class, () -> DeviceRpcRouter.entries(params));
        assertThat(e).as("refused: %s", params).isNotNull();
        return e.getMessage();
    }

    private static ArrayNode codes(int count) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < count; i++) {
            list.add("1.0." + (i % 250) + "." + (i / 250 % 250) + ".0.255");
        }
        return list;
    }

    @Test
    void aReadOfHundredThousandCodesIsRefusedWithTheBound() {
        assertThat(refusal(codes(100_000)))
                .isEqualTo("read: 100000 objects asked for; at most 1000 objects per read (split the request)");
        assertThat(refusal(JSON.createObjectNode().set("measurements", codes(1_001)))).contains("at most 1000");
    }

    @Test
    void aCommaSeparatedStringOfMegabytesIsRefusedBeforeItIsSplit() {
        String many = String.join(",", java.util.Collections.nCopies(400_000, "1.0.32.7.0.255"));
        assertThat(refusal(JsonNodeFactory.instance.textNode(many))).contains("at most 1000 objects per read");
    }

    @Test
    void upToTheBoundIsReadAndDuplicatesOnce() {
        assertThat(DeviceRpcRouter.entries(codes(1_000))).hasSize(1_000);
        assertThat(DeviceRpcRouter.entries(JsonNodeFactory.instance.textNode(" voltage_l1, 1.0.14.7.0.255 ,voltage_l1")))
                .containsExactly("voltage_l1", "1.0.14.7.0.255");
        assertThat(DeviceRpcRouter.entries(MissingNode.getInstance())).isEmpty();
        assertThat(DeviceRpcRouter.entries(JsonNodeFactory.instance.nullNode())).isEmpty();
    }

    @Test
    void paramsOfTheWrongTypeAreRefusedWithWhatWasExpected() throws Exception {
        assertThat(refusal(JSON.readTree("[\"voltage_l1\", 7]")))
                .isEqualTo("read: every entry must be a string (a measurement name or an OBIS code), got number");
        assertThat(refusal(JSON.readTree("{\"obis\":\"1.0.32.7.0.255\"}"))).contains("{\"measurements\":[...]}");
        assertThat(refusal(JSON.readTree("42"))).endsWith("got number");
        assertThat(refusal(JSON.readTree("[\"  \"]"))).isEqualTo("read: an entry is blank");
        assertThat(refusal(JsonNodeFactory.instance.arrayNode().add("x".repeat(300))))
                .isEqualTo("read: an entry of 300 characters; at most 255 (a measurement name or an OBIS code)");
    }
}
