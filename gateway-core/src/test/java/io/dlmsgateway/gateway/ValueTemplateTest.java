package io.dlmsgateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ValueTemplateTest {

    @Test
    void rendersPlaceholdersAmongLiteralText() {
        ValueTemplate template = ValueTemplate.parse("${host}:${port} (${host})");

        assertThat(template.placeholders()).containsExactly("host", "port");
        assertThat(template.singlePlaceholder()).isNull();
        assertThat(template.render(Map.of("host", "10.0.0.7", "port", 4059)::get)).isEqualTo("10.0.0.7:4059 (10.0.0.7)");
    }

    @Test
    void singlePlaceholderIsRecognised() {
        assertThat(ValueTemplate.parse("${voltage_l1}").singlePlaceholder()).isEqualTo("voltage_l1");
        assertThat(ValueTemplate.parse("DLMS/COSEM").placeholders()).isEmpty();
        assertThat(ValueTemplate.parse("DLMS/COSEM").render(name -> "x")).isEqualTo("DLMS/COSEM");
    }

    @Test
    void rejectsUnclosedAndEmptyPlaceholders() {
        assertThatIllegalArgumentException().isThrownBy(() -> ValueTemplate.parse("a ${b")).withMessageContaining("not closed");
        assertThatIllegalArgumentException().isThrownBy(() -> ValueTemplate.parse("${ }")).withMessageContaining("empty");
    }
}
