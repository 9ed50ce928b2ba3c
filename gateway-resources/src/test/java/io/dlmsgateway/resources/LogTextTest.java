package io.dlmsgateway.resources;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {

    @Test
    void lineBreaksAndControlCharactersAreEscaped() {
        assertThat(LogText.escape("m1\n12:00:00 ERROR forged\r\u001b[2J\u2028\tx"))
                .isEqualTo("m1\\n12:00:00 ERROR forged\\r\\u001b[2J\\u2028\\tx");
    }

    @Test
    void cleanTextComesBackAsItIs() {
        String name = "medidor_001 (Sótano)";
        assertThat(LogText.escape(name)).isSameAs(name);
        assertThat(LogText.escape(null)).isEqualTo("null");
    }

    @Test
    void remoteTextIsCutWithItsLengthSaid() {
        String sent = "x\n" + "y".repeat(10_000);
        String shown = LogText.remote(sent);
        assertThat(shown).startsWith("x\\ny").endsWith("...(10002 chars)").doesNotContain("\n");
        assertThat(shown.length()).isLessThan(LogText.REMOTE_MAX_CHARS + 30);
        assertThat(LogText.remote("short\n")).isEqualTo("short\\n");
    }
}
