package io.dlmsgateway.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.dlms.CosemAttribute;
import io.dlmsgateway.dlms.CosemMethod;
import io.dlmsgateway.dlms.DlmsType;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.SelectiveAccess;
import io.dlmsgateway.gateway.DlmsJson.DeviceClock;
import io.dlmsgateway.gateway.RpcMethod;
import io.dlmsgateway.thingsboard.RpcRefusedException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 12: the params of get, set, execute and named RPCs, checked on arrival; a bad one is refused with its reason. */
class OperationParamsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static String refusal(Runnable call) {
        RpcRefusedException e = catchThrowableOfType(RpcRefusedException.class, call::run);
        assertThat(e).isNotNull();
        return e.getMessage();
    }

    @Test
    void anAttributeAndAMethodAreNamedByObisClassAndIndex() throws Exception {
        assertThat(OperationParams.attribute("get", json("{\"obis\":\"0.0.96.1.1.255\",\"classId\":1,\"attribute\":2}")))
                .isEqualTo(new CosemAttribute(1, ObisCode.parse("0.0.96.1.1.255"), 2));
        assertThat(OperationParams.method("execute", json("{\"obis\":\"0.0.96.3.10.255\",\"classId\":70,\"method\":1}")))
                .isEqualTo(new CosemMethod(70, ObisCode.parse("0.0.96.3.10.255"), 1));
    }

    @Test
    void badParamsAreRefusedWithWhatIsWrong() throws Exception {
        assertThat(refusal(() -> OperationParams.attribute("get", JSON.nullNode())))
                .startsWith("get: expected params as {\"obis\"");
        assertThat(refusal(() -> attribute("{\"obis\":\"0.0.96.1.1\",\"classId\":1,\"attribute\":2}")))
                .startsWith("get: malformed OBIS code '0.0.96.1.1'");
        assertThat(refusal(() -> attribute("{\"obis\":\"0.0.96.1.1.255\",\"classId\":1,\"attribute\":200}")))
                .isEqualTo("get: \"attribute\" must be a whole number in 1..127, got 200");
        assertThat(refusal(() -> attribute("{\"obis\":\"0.0.96.1.1.255\",\"attribute\":2}")))
                .isEqualTo("get: \"classId\" must be a whole number in 0..65535, got none");
        assertThat(refusal(() -> attribute("{\"obis\":7,\"classId\":1,\"attribute\":2}")))
                .startsWith("get: \"obis\" must be a string");
        assertThat(refusal(() -> OperationParams.typed("set", TextOf.of("\"x\""), DlmsType.LONG_UNSIGNED,
                DeviceClock.UTC))).isEqualTo("set: long-unsigned takes a whole number in 0..65535, got string");
    }

    @Test
    void selectiveAccessTakesASelectorAndTypedParameters() throws Exception {
        JsonNode params = json("{\"access\":{\"selector\":2,\"parameters\":[{\"type\":\"double-long-unsigned\","
                + "\"value\":1},{\"type\":\"double-long-unsigned\",\"value\":10},{\"type\":\"long-unsigned\",\"value\":1},"
                + "{\"type\":\"long-unsigned\",\"value\":0}]}}");
        Optional<SelectiveAccess> access = OperationParams.access("get", params, DeviceClock.UTC);
        assertThat(access).contains(new SelectiveAccess(2, DlmsValue.structure(List.of(
                DlmsValue.integer(DlmsType.DOUBLE_LONG_UNSIGNED, 1), DlmsValue.integer(DlmsType.DOUBLE_LONG_UNSIGNED, 10),
                DlmsValue.integer(DlmsType.LONG_UNSIGNED, 1), DlmsValue.integer(DlmsType.LONG_UNSIGNED, 0)))));
        assertThat(OperationParams.access("get", json("{}"), DeviceClock.UTC)).isEmpty();
        assertThat(refusal(() -> OperationParams.access("get", TextOf.of("{\"access\":{\"selector\":0}}"),
                DeviceClock.UTC))).isEqualTo("get: \"selector\" must be a whole number in 1..255, got 0");
    }

    @Test
    void aNamedRpcTakesItsFixedValueElseTheParamsValueElseTheParams() throws Exception {
        RpcMethod free = new RpcMethod("setNote", RpcMethod.Kind.SET, 1, ObisCode.parse("0.0.96.1.1.255"), 2,
                Optional.of(DlmsType.OCTET_STRING), Optional.empty());
        assertThat(OperationParams.namedValue(free, json("{\"value\":\"4142\"}"))).contains(json("\"4142\""));
        assertThat(OperationParams.namedValue(free, json("\"4142\""))).contains(json("\"4142\""));
        assertThat(OperationParams.namedValue(free, json("{\"type\":\"octet-string\",\"value\":\"41\"}")))
                .contains(json("{\"type\":\"octet-string\",\"value\":\"41\"}"));
        assertThat(OperationParams.namedValue(free, JSON.missingNode())).isEmpty();
        RpcMethod fixed = new RpcMethod("resetNote", RpcMethod.Kind.SET, 1, ObisCode.parse("0.0.96.1.1.255"), 2,
                Optional.of(DlmsType.OCTET_STRING), Optional.of(json("\"00\"")));
        assertThat(OperationParams.namedValue(fixed, json("{\"value\":\"4142\"}"))).contains(json("\"00\""));
    }

    private static CosemAttribute attribute(String params) {
        return OperationParams.attribute("get", TextOf.of(params));
    }

    /** JSON in a lambda without a checked exception. */
    private static final class TextOf {
        static JsonNode of(String text) {
            try {
                return JSON.readTree(text);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }
}
