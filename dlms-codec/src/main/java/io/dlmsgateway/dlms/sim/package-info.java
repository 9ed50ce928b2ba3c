/**
 * Simulated DLMS/COSEM meters: the server side of the protocol on Gurux's server classes, served by Netty.
 *
 * <p>{@link io.dlmsgateway.dlms.sim.MeterSimulator#start} opens one TCP port per meter (logical-name referencing,
 * WRAPPER or HDLC framing) on a shared set of event loops; {@link io.dlmsgateway.dlms.sim.MeterAddressing} says how
 * to reach and associate with them; {@link io.dlmsgateway.dlms.sim.SimulatedMeasurements} predicts the values they
 * serve; each {@link io.dlmsgateway.dlms.sim.SimulatedMeter} takes a reply latency and a
 * {@link io.dlmsgateway.dlms.sim.MeterFault} at run time.
 *
 * <p>Every meter serves: the association (0.0.40.0.0.255) with its object list, the logical device name
 * (0.0.42.0.0.255), serial number (0.0.96.1.0.255), firmware version (1.0.0.2.0.255), invocation counter
 * (0.0.43.1.0.255), the clock (0.0.1.0.0.255), the twelve registers of
 * {@link io.dlmsgateway.dlms.MeasurementCatalog#standard()} and, by default, 16 manufacturer-specific Data objects
 * (0.128.96.50.n.255) so that the object list is about 1.5 KB and needs block transfer. Conformance: GET, SET,
 * ACTION, block transfer with get, set and action, MULTIPLE_REFERENCES, SELECTIVE_ACCESS.
 *
 * <p>Memory: an idle meter costs its listening channel (about 3 KB of heap); the Gurux server and COSEM objects are
 * built per accepted connection (about 28 KB while it is open) and dropped when it closes.
 */
package io.dlmsgateway.dlms.sim;
