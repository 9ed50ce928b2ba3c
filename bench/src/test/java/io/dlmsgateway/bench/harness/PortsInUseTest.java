package io.dlmsgateway.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PortsInUseTest {

    @Test
    void countsSocketsWhoseLocalPortIsInTheRangeByState() {
        List<String> tcp = List.of(
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
                "   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1526 1",
                "   1: 0100007F:7918 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1527 1");
        List<String> tcp6 = List.of(
                "  sl  local_address                         remote_address                        st tx_queue",
                "   0: 0000000000000000FFFF00000100007F:8060 0000000000000000FFFF00000100007F:793F 06 00000000:0",
                "   1: 0000000000000000FFFF00000100007F:8061 0000000000000000FFFF00000100007F:7978 06 00000000:0",
                "   2: 0000000000000000FFFF00000100007F:C020 0000000000000000FFFF00000100007F:7956 01 00000000:0");

        // 0x7918 = 31000 listening, 0x8060/0x8061 = 32864/32865 in TIME-WAIT, 0xC020 = 49184 outside
        assertThat(PortsInUse.inRange(tcp, "127.0.0.1", 31_000, 10_000))
                .containsExactly(java.util.Map.entry("LISTEN", 1));
        assertThat(PortsInUse.inRange(tcp6, "127.0.0.1", 31_000, 10_000))
                .containsExactly(java.util.Map.entry("TIME-WAIT", 2));
        assertThat(PortsInUse.inRange(tcp6, "127.0.0.1", 31_000, 1_000)).isEmpty();
    }

    @Test
    void onlySocketsOnTheSameAddressOrAWildcardStandInTheWay() {
        List<String> tcp = List.of(
                "   0: 0100007F:7918 00000000:0000 06 00000000:00000000 00:00000000 00000000     0        0 0 1",
                "   1: 00000000:7919 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1",
                "   2: 0200007F:791A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1");
        List<String> tcp6 = List.of(
                "   0: 0000000000000000FFFF00000100007F:8060 0000000000000000FFFF00000100007F:793F 06 0",
                "   1: 00000000000000000000000000000000:8061 00000000000000000000000000000000:0000 0A 0");

        assertThat(PortsInUse.hexIpv4("127.0.0.2")).isEqualTo("0200007F");
        assertThat(PortsInUse.hexIpv4("localhost")).isNull();
        // 127.0.0.1 in TIME-WAIT is no obstacle on 127.0.0.2; the wildcard listeners and 127.0.0.2 itself are
        assertThat(PortsInUse.inRange(tcp, "127.0.0.2", 31_000, 10_000))
                .containsExactly(java.util.Map.entry("LISTEN", 2));
        assertThat(PortsInUse.inRange(tcp6, "127.0.0.2", 31_000, 10_000))
                .containsExactly(java.util.Map.entry("LISTEN", 1));
        assertThat(PortsInUse.inRange(tcp, "localhost", 31_000, 10_000)).hasSize(2);
    }
}
