/**
 * ThingsBoard Gateway MQTT API client. It knows nothing of DLMS: anything that can produce a {@code Flux} of device
 * telemetry can publish it through this module.
 *
 * <p>{@link io.dlmsgateway.thingsboard.ThingsBoardTransport} is the entry point, configured by
 * {@link io.dlmsgateway.thingsboard.ThingsBoardSettings}. A gateway publishing readings from a durable queue and
 * answering device RPCs:
 *
 * <pre>{@code
 * ThingsBoardTransport tb = ThingsBoardTransport.create(ThingsBoardSettings.builder()
 *         .host("thingsboard.example.org")
 *         .accessToken("GATEWAY_ACCESS_TOKEN")
 *         .resources(sharedResources)                // optional: the host's event loops (GatewayResources)
 *         .build());
 *
 * tb.onDeviceRpc(request -> switch (request.method()) {
 *     case "read" -> meters.read(request.device(), request.params())      // Mono<JsonNode>
 *     default -> Mono.error(new RpcMethodNotFoundException(request.method()));
 * });
 * tb.attributeUpdates().subscribe(update -> meters.reconfigure(update.device(), update.values()));
 * tb.start();                                        // returns at once; connects and reconnects in the background
 *
 * // readings: Flux<Reading>; spool hands them out with sequence numbers and deletes what is acknowledged
 * spool.readings()                                   // Flux<SpooledReading>, demand-driven
 *         .bufferTimeout(500, Duration.ofSeconds(1), true)   // fair backpressure: no error while MQTT is down
 *         .map(chunk -> new TelemetryBatch<>(
 *                 chunk.stream().map(r -> new DeviceTelemetry(r.meter(), "DLMS_Energy_Meter", r.ts(), r.values()))
 *                         .toList(),
 *                 chunk.get(chunk.size() - 1).sequence()))
 *         .as(tb::publishTelemetry)                   // Flux<TelemetryAck<Long>>, in batch order
 *         .subscribe(ack -> {
 *             if (ack.isSuccess()) {
 *                 spool.deleteUpTo(ack.context());   // the broker has it
 *             } else {
 *                 spool.retryFrom(ack.context());    // keep it, send again later
 *             }
 *         });
 *
 * tb.close().block();                                // on shutdown: waits for unacknowledged publishes
 * }</pre>
 *
 * <p>Payloads follow the ThingsBoard Gateway API: {@code v1/gateway/connect} before a device's first data and again
 * after every reconnect, multi-device {@code v1/gateway/telemetry} messages split to the maximum payload size,
 * {@code v1/gateway/attributes} both ways, device RPC on {@code v1/gateway/rpc}, gateway RPC and the gateway's own
 * telemetry on {@code v1/devices/me/...}, and the {@code getSessionLimits} client RPC after each connect.
 * {@link io.dlmsgateway.thingsboard.broker.EmbeddedBroker} is an in-process MQTT broker to stand in for ThingsBoard.
 */
package io.dlmsgateway.thingsboard;
