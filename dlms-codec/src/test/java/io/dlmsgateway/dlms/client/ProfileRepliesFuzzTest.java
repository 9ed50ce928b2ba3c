package io.dlmsgateway.dlms.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dlmsgateway.dlms.ObisCode;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Issue 11: the profile reply path (capture objects, capture period, entries, the buffer's rows) with fuzzed APDUs,
 * fed in WRAPPER frames to a live {@link DlmsConnection} on an {@link EmbeddedChannel}, as
 * {@link DlmsConnectionRepliesFuzzTest} does for register reads. The read ends with rows or with a
 * {@link DlmsException}, and with nothing else: no exception of Gurux's or of the row decoding, no leaked buffer.
 *
 * <p>Input: byte 0 picks the read (bit 0: by range or by entry); then replies, each a 2-byte big-endian length and
 * that many APDU bytes. A get-response's invoke-id is set to the request's.
 */
class ProfileRepliesFuzzTest {

    private static final ObisCode PROFILE = ObisCode.parse("1.0.99.1.0.255");
    private static final Instant FROM = Instant.parse("2026-11-29T12:00:00Z");

    @FuzzTest(maxDuration = "5s")
    void profileReplies(byte[] input) {
        if (input.length < 1) {
            return;
        }
        try (FuzzedReplies replies = new FuzzedReplies()) {
            DlmsConnection connection = replies.connection;
            CompletableFuture<ProfileRows> read = (input[0] & 1) == 0
                    ? connection.readProfileRange(PROFILE, FROM, FROM.plus(Duration.ofDays(1)), Priority.SCHEDULED)
                    : connection.readProfileEntries(PROFILE, 1, 0, Priority.SCHEDULED);
            replies.feed(input, 0xC4);
            ProfileRows rows = replies.end(read);
            if (rows != null) {
                for (ProfileRow row : rows.rows()) {
                    assertThat(row.values()).hasSize(rows.shape().columns().size());
                }
            }
        }
    }
}
