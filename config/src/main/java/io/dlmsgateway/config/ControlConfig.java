package io.dlmsgateway.config;

import java.util.Objects;

/**
 * A device's {@code control}: the second association its writes and actions go through (typically the management
 * client with LOW or HIGH_GMAC where the polls use the public client). Framing, addresses of the meter and timeouts are
 * the device's own; {@link #toString()} shows no secret (see {@link MeterSecurity}).
 *
 * @param clientAddress the control client's address (client SAP / source wPort), 1 (management client) unless given
 * @param security      its authentication and keys; with HIGH_GMAC the keys and system title are the device's own
 *                      unless given
 * @param keepOpen      keep the association open between operations; released after each one otherwise
 */
public record ControlConfig(int clientAddress, MeterSecurity security, boolean keepOpen) {

    public ControlConfig {
        Objects.requireNonNull(security, "security");
    }
}
