package io.dlmsgateway.thingsboard.internal;

import com.hivemq.client.mqtt.lifecycle.MqttClientReconnector;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;

/**
 * The reconnect HiveMQ has scheduled after the last disconnection, which close must cancel: otherwise the client
 * connects again at the time it was due, after the transport is closed. The reconnector's methods belong to the event
 * loop that reported the disconnection, so it is remembered with it.
 *
 * <p>Threading: confined to the lane; the cancel itself runs on the reconnector's event loop.
 */
final class PendingReconnect {

    private static final Logger LOG = HiveMqThingsBoardTransport.LOG;

    private MqttClientReconnector reconnector;
    private EventExecutor loop;

    void remember(MqttClientReconnector reconnector, EventExecutor loop) {
        this.reconnector = reconnector;
        this.loop = loop;
    }

    /** Connected again: nothing is scheduled any more. */
    void forget() {
        remember(null, null);
    }

    void cancel() {
        if (reconnector != null) {
            cancel(reconnector, loop);
        }
    }

    static void cancel(MqttClientReconnector reconnector, EventExecutor loop) {
        if (loop != null && !loop.isShuttingDown()) {
            loop.execute(() -> {
                try {
                    reconnector.reconnect(false);
                } catch (RuntimeException e) {
                    LOG.debug("Could not cancel the pending reconnect", e);
                }
            });
        }
    }
}
