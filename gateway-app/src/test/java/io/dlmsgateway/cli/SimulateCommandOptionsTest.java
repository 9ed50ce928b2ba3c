package io.dlmsgateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.sim.SimulatedProfiles;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import java.time.Duration;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code simulate}'s profile options reach {@link SimulatorOptions}; bad values are usage errors naming them. */
class SimulateCommandOptionsTest {

    private static SimulatorOptions options(String... args) {
        SimulateCommand command = new SimulateCommand();
        new CommandLine(command).parseArgs(args);
        return command.options();
    }

    @Test
    void profileDefaultsAreFifteenMinutesOverSevenDaysWithRangesAndStandardTime() {
        SimulatorOptions o = options();
        assertThat(o.profilePeriod()).isEqualTo(SimulatedProfiles.DEFAULT_PERIOD);
        assertThat(o.profileHistory()).isEqualTo(Duration.ofDays(7));
        assertThat(o.rangeAccess()).isTrue();
        assertThat(o.compressedProfile()).isFalse();
        assertThat(o.deviationSign()).isEqualTo(DeviationSign.STANDARD);
        assertThat(o.utcOffset()).isEqualTo(ZoneOffset.UTC);
    }

    @Test
    void theDisconnectControlModeIsTakenAndChecked() {
        assertThat(options().disconnectControlMode()).isEqualTo(SimulatorOptions.DEFAULT_DISCONNECT_CONTROL_MODE);
        assertThat(options("--disconnect-control-mode", "2").disconnectControlMode()).isEqualTo(2);
        assertThatThrownBy(() -> options("--disconnect-control-mode", "7"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("0..6");
    }

    @Test
    void everyProfileOptionIsTaken() {
        SimulatorOptions o = options("--profile-period", "60", "--profile-history", "36h", "--no-range-access",
                "--compressed-profile", "--deviation-sign", "inverted", "--utc-offset", "+01:00");
        assertThat(o.profilePeriod()).isEqualTo(Duration.ofMinutes(1));
        assertThat(o.profileHistory()).isEqualTo(Duration.ofHours(36));
        assertThat(o.rangeAccess()).isFalse();
        assertThat(o.compressedProfile()).isTrue();
        assertThat(o.deviationSign()).isEqualTo(DeviationSign.INVERTED);
        assertThat(o.utcOffset()).isEqualTo(ZoneOffset.ofHours(1));
        assertThat(options("--profile-history", "7d").profileHistory()).isEqualTo(Duration.ofDays(7));
        // as the load harness passes them
        assertThat(options("--profile-period", "900s", "--profile-history", "605700s").profilePeriod())
                .isEqualTo(Duration.ofMinutes(15));
        assertThat(options("--profile-period", "15m").profilePeriod()).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void badProfileOptionsAreUsageErrors() {
        assertThatThrownBy(() -> options("--profile-period", "0")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("profile period");
        assertThatThrownBy(() -> options("--profile-period", "900", "--profile-history", "10m"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("shorter than the period");
        assertThatThrownBy(() -> options("--profile-period", "1", "--profile-history", "400d"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("more than 1000000");
        assertThatThrownBy(() -> options("--deviation-sign", "backwards"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("standard or inverted");
        assertThatThrownBy(() -> options("--utc-offset", "CET"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("+01:00");
    }

    private static io.dlmsgateway.dlms.sim.PushOptions push(String... args) {
        SimulateCommand command = new SimulateCommand();
        new CommandLine(command).parseArgs(args);
        return command.pushOptions();
    }

    @Test
    void pushOptionsReachThePushAndBadOnesAreUsageErrors() {
        assertThat(push()).isNull();
        var p = push("--push-to", "127.0.0.1:26150", "--push-interval", "5", "--push-ciphered");
        assertThat(p.target().getHostString()).isEqualTo("127.0.0.1");
        assertThat(p.target().getPort()).isEqualTo(26150);
        assertThat(p.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(p.ciphered()).isTrue();
        assertThat(push("--push-to", "gateway:4059").interval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(push("--push-to", "gateway:4059").ciphered()).isFalse();
        assertThatThrownBy(() -> push("--push-to", "gateway")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("not HOST:PORT");
        assertThatThrownBy(() -> push("--push-to", "gateway:0")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("port out of range");
        assertThatThrownBy(() -> push("--push-to", "gateway:1", "--push-interval", "0"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--push-interval");
    }
}
