/**
 * The meter side of the gateway as a library: a {@link io.dlmsgateway.fleet.MeterFleet} polls many DLMS/COSEM meters
 * on a few event-loop threads and hands out a {@code Flux} of {@link io.dlmsgateway.fleet.MeterReading}s, with no
 * ThingsBoard involved.
 *
 * <pre>{@code
 * List<Meter> meters = List.of(Meter.builder("medidor_principal", "192.168.1.127", 3333).build());
 * MeterFleet fleet = MeterFleet.create(meters,
 *         FleetOptions.builder().resources(GatewayResources.shared(myLoops)).build());
 * fleet.readings()
 *      .publishOn(Schedulers.boundedElastic())          // readings arrive on event loops: never block there
 *      .subscribe(r -> repository.save(r.meter(), r.timestamp(), r.values()));
 * fleet.readNow("medidor_principal", List.of("voltage_l1", "1.0.14.7.0.255"))
 *      .subscribe(r -> System.out.println(r.value("voltage_l1")));
 * ...
 * fleet.shutdown().block();                             // releases every association
 * }</pre>
 *
 * <p>Failures never end the Flux: a meter that refuses, times out, sends garbage or drops the line is retried with
 * backoff while the others carry on, and its failures show in {@link io.dlmsgateway.fleet.DeviceStatistics} and the
 * log. Everything under {@code internal} is implementation.
 */
package io.dlmsgateway.fleet;
