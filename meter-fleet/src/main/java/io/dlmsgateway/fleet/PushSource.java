package io.dlmsgateway.fleet;

import io.dlmsgateway.dlms.client.DlmsClientSettings;
import java.util.Objects;

/**
 * A meter the push listener accepts notifications from.
 *
 * @param device the device's name, carried by every {@link PushNotification} from it
 * @param match  how its notifications are recognised
 * @param client its keys (block cipher and authentication key, for general-glo-ciphered notifications), its
 *               deviation sign and clock offset (for the notification's date-time); addresses unused
 */
public record PushSource(String device, PushMatch match, DlmsClientSettings client) {

    public PushSource {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(client, "client");
    }
}
