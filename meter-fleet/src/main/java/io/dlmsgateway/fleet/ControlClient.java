package io.dlmsgateway.fleet;

import io.dlmsgateway.dlms.client.DlmsClientSettings;
import java.util.Objects;

/**
 * The second association a meter's writes and actions go through when its poll client may not act: typically the
 * management client (1) with LOW or HIGH_GMAC where reads use the public client (16). Opened on demand, on its own
 * connection to the same host and port, for the meter's {@link MeterFleet#set}, {@link MeterFleet#execute} and clock
 * corrections; released after each use unless {@code keepOpen}.
 *
 * @param client   addresses, authentication and keys of the control association (framing, host and timeouts as the
 *                 meter's own)
 * @param keepOpen keep the association open between operations (a meter that takes several connections); released
 *                 after each operation otherwise
 */
public record ControlClient(DlmsClientSettings client, boolean keepOpen) {

    public ControlClient {
        Objects.requireNonNull(client, "client");
    }
}
