package io.dlmsgateway.dlms.client;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dlmsgateway.dlms.Axdr;
import io.dlmsgateway.dlms.CosemAttribute;
import io.dlmsgateway.dlms.CosemMethod;
import io.dlmsgateway.dlms.DlmsType;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.dlms.ObisCode;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Replies built from fuzzed APDUs to the typed operations ({@link DlmsConnection#get}, with and without selective
 * access, {@link DlmsConnection#set}, {@link DlmsConnection#invoke}), fed in WRAPPER frames to a live connection on an
 * {@link EmbeddedChannel} as {@link DlmsConnectionRepliesFuzzTest} does: each operation ends with a value (that
 * encodes back to A-XDR), an empty return or a {@link DlmsException}, and with nothing else: no exception of Gurux's
 * or of the A-XDR decoder, no error out of the pipeline, no leaked buffer.
 *
 * <p>Input: byte 0 picks the operation (GET, GET with selective access, SET, ACTION); then replies, each a 2-byte
 * big-endian length and that many APDU bytes. A get-, set- or action-response's invoke-id is set to the request's.
 */
class DlmsConnectionOperationRepliesFuzzTest {

    private static final CosemAttribute PERIOD = new CosemAttribute(1, ObisCode.parse("1.0.0.8.0.255"), 2);
    private static final CosemAttribute BUFFER = new CosemAttribute(7, ObisCode.parse("1.0.99.1.0.255"), 2);
    private static final SelectiveAccess LAST_ROW = new SelectiveAccess(2, DlmsValue.structure(List.of(
            DlmsValue.integer(DlmsType.DOUBLE_LONG_UNSIGNED, 1), DlmsValue.integer(DlmsType.DOUBLE_LONG_UNSIGNED, 0),
            DlmsValue.integer(DlmsType.LONG_UNSIGNED, 1), DlmsValue.integer(DlmsType.LONG_UNSIGNED, 0))));
    private static final CosemMethod REMOTE_DISCONNECT = new CosemMethod(70, ObisCode.parse("0.0.96.3.10.255"), 1);

    @FuzzTest(maxDuration = "5s")
    void operationReplies(byte[] input) {
        if (input.length < 1) {
            return;
        }
        try (FuzzedReplies replies = new FuzzedReplies()) {
            DlmsConnection connection = replies.connection;
            CompletableFuture<?> read = switch (input[0] & 3) {
                case 0 -> connection.get(PERIOD, null, Priority.ON_DEMAND);
                case 1 -> connection.get(BUFFER, LAST_ROW, Priority.ON_DEMAND);
                case 2 -> connection.set(PERIOD, DlmsValue.integer(DlmsType.LONG_UNSIGNED, 900), Priority.ON_DEMAND);
                default -> connection.invoke(REMOTE_DISCONNECT, DlmsValue.integer(DlmsType.INTEGER, 0),
                        Priority.ON_DEMAND);
            };
            replies.feed(input, 0xC4, 0xC5, 0xC7);
            Object outcome = replies.end(read);
            // what comes out is a value as Axdr made it: it encodes back to A-XDR without complaint
            if (outcome instanceof DlmsValue value) {
                Axdr.encode(value);
            } else if (outcome instanceof java.util.Optional<?> returned && returned.isPresent()) {
                Axdr.encode((DlmsValue) returned.get());
            }
        }
    }
}
