/**
 * The Netty event loops, timers and socket transport shared by the meter side and the ThingsBoard side, and their
 * ownership: {@link io.dlmsgateway.resources.GatewayResources}. Knows nothing of DLMS or ThingsBoard.
 */
package io.dlmsgateway.resources;
