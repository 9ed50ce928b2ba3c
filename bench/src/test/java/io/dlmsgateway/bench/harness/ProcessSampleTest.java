package io.dlmsgateway.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessSampleTest {

    // a command name with a space and parentheses, as a thread may rename its process
    private static final String STAT = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 123 0 0 0 1500 250 0 0 20 0 42 0"
            + " 987654 4000000000 30000 18446744073709551615 1 1 0 0 0 0 0 0 16800975 0 0 0 17 1 0 0 0 0 0\n";
    private static final String STATUS = """
            Name:\tjava
            State:\tS (sleeping)
            VmPeak:\t 5000000 kB
            VmHWM:\t  140000 kB
            VmRSS:\t  120000 kB
            Threads:\t42
            """;

    @Test
    void readsCpuTicksMemoryAndThreads() {
        ProcessSample sample = ProcessSample.parse(STAT, STATUS);

        assertThat(sample.cpuTicks()).isEqualTo(1750);
        assertThat(sample.rssKiB()).isEqualTo(120_000);
        assertThat(sample.rssPeakKiB()).isEqualTo(140_000);
        assertThat(sample.threads()).isEqualTo(42);
    }

    @Test
    void cpuSecondsIsTheDifferenceOverTheTickRate() {
        ProcessSample from = new ProcessSample(1000, 1, 1, 1);
        ProcessSample to = new ProcessSample(1250, 1, 1, 1);

        assertThat(ProcessSample.cpuSeconds(from, to, 100)).isEqualTo(2.5);
    }

    @Test
    void readsThisVeryProcess() throws Exception {
        ProcessSample sample = ProcessSample.of(ProcessHandle.current().pid());

        assertThat(sample.threads()).isPositive();
        assertThat(sample.rssKiB()).isPositive().isLessThanOrEqualTo(sample.rssPeakKiB());
        assertThat(sample.cpuTicks()).isPositive();
    }

    @Test
    void readsSoftLimitsAndUnlimited() {
        String limits = """
                Limit                     Soft Limit           Hard Limit           Units
                Max processes             96365                96365                processes
                Max open files            20000                65536                files
                Max locked memory         unlimited            unlimited            bytes
                """;

        assertThat(MachineFacts.softLimit(limits, "Max open files")).hasValue(20_000);
        assertThat(MachineFacts.softLimit(limits, "Max locked memory")).hasValue(Long.MAX_VALUE);
        assertThat(MachineFacts.softLimit(limits, "Max nice priority")).isEmpty();
    }
}
