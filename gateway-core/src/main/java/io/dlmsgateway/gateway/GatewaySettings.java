package io.dlmsgateway.gateway;

import io.dlmsgateway.fleet.PushListenerOptions;
import io.dlmsgateway.spool.SpoolOptions;
import io.dlmsgateway.thingsboard.ThingsBoardSettings;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a gateway does: which meters it reads, which ThingsBoard it publishes to, where readings wait for
 * ThingsBoard's acknowledgement. The configuration files bind onto this ({@code io.dlmsgateway.config.ConfigBinding});
 * an application that embeds the gateway builds it in code.
 *
 * @param devices         the meters and how ThingsBoard sees them; names unique
 * @param thingsBoard     the ThingsBoard server and the gateway device's credentials; its event loops, if any, are
 *                        replaced by the gateway's shared ones
 * @param spool           the disk (or memory) spool
 * @param statisticsPeriod how often the gateway publishes its own statistics; empty for never
 * @param packDelay       longest a stored reading waits for others to fill a telemetry batch (ThingsBoard IoT
 *                        gateway's {@code minPackSendDelayMS}); publishing only: readings go to the spool at once
 * @param inputRules      the rules shared attributes keep before they change a meter: the configuration's own when
 *                        bound from files, {@link DeviceInputRules#standard()} (the same ranges) unless given
 * @param pushListener    the port meters push to, when the gateway listens for pushes
 */
public record GatewaySettings(List<GatewayDevice> devices, ThingsBoardSettings thingsBoard, SpoolOptions spool,
                              Optional<Duration> statisticsPeriod, Duration packDelay, DeviceInputRules inputRules,
                              Optional<PushListenerOptions> pushListener) {

    /** Statistics period unless set: one minute, as the ThingsBoard IoT gateway's. */
    public static final Duration DEFAULT_STATISTICS_PERIOD = Duration.ofSeconds(60);
    /** Pack delay unless set: 200 ms. */
    public static final Duration DEFAULT_PACK_DELAY = Duration.ofMillis(200);

    public GatewaySettings {
        devices = List.copyOf(devices);
        Objects.requireNonNull(thingsBoard, "thingsBoard");
        Objects.requireNonNull(spool, "spool");
        Objects.requireNonNull(statisticsPeriod, "statisticsPeriod");
        Objects.requireNonNull(packDelay, "packDelay");
        Objects.requireNonNull(inputRules, "inputRules");
        Objects.requireNonNull(pushListener, "pushListener");
        if (packDelay.isNegative()) {
            throw new IllegalArgumentException("packDelay must not be negative: " + packDelay);
        }
    }

    /** Without a push listener. */
    public GatewaySettings(List<GatewayDevice> devices, ThingsBoardSettings thingsBoard, SpoolOptions spool,
            Optional<Duration> statisticsPeriod, Duration packDelay, DeviceInputRules inputRules) {
        this(devices, thingsBoard, spool, statisticsPeriod, packDelay, inputRules, Optional.empty());
    }

    /** With the standard ranges for shared attributes ({@link DeviceInputRules#standard()}). */
    public GatewaySettings(List<GatewayDevice> devices, ThingsBoardSettings thingsBoard, SpoolOptions spool,
            Optional<Duration> statisticsPeriod, Duration packDelay) {
        this(devices, thingsBoard, spool, statisticsPeriod, packDelay, DeviceInputRules.standard());
    }

    /** These devices, ThingsBoard and spool, with statistics every minute and the default pack delay. */
    public static GatewaySettings of(List<GatewayDevice> devices, ThingsBoardSettings thingsBoard,
            SpoolOptions spool) {
        return new GatewaySettings(devices, thingsBoard, spool, Optional.of(DEFAULT_STATISTICS_PERIOD),
                DEFAULT_PACK_DELAY);
    }
}
