package io.dlmsgateway.thingsboard.internal;

import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import reactor.core.publisher.Mono;

/**
 * What the other concerns do at the edges of the MQTT connection's life, as {@link ConnectionLifecycle} sees them.
 *
 * <p>Threading: called on the lane unless noted.
 */
interface ConnectionHooks {
    /** Devices that each new connection announces again, for the reconnect's log line. */
    int knownDevices();

    /** First thing after every connect: the child sessions of the previous connection are gone. */
    void connected();

    /** After the subscriptions are in place; CONNECTED is declared once it ends, however it ends. */
    Mono<Void> sessionSetUp();

    /** A message from ThingsBoard. */
    void received(Mqtt3Publish publish);

    /** On the timer, during close: publishes handed to the client and not answered, and batches under way. */
    int publishesInFlight();

    boolean batchesUnderWay();

    /** At the very end of close, after the disconnect. */
    void closed();
}
