/**
 * Implementation of {@code io.dlmsgateway.thingsboard}: the HiveMQ-based transport, one class per concern wired by
 * {@link io.dlmsgateway.thingsboard.internal.HiveMqThingsBoardTransport}, payload encoding and splitting, the
 * in-flight window and PEM loading. Not API: anything here may change.
 *
 * <p>Threading, in one place: the control state of every concern (connection life, announced devices, RPC handlers,
 * pending client-side RPCs) is confined to the lane, one {@link io.dlmsgateway.thingsboard.internal.SerialExecutor}
 * per transport on the application executor. Netty event loops only hand work over; encoding and publishing run on
 * whichever thread finds an upload ready. The few fields read across threads carry a comment saying why.
 */
package io.dlmsgateway.thingsboard.internal;
