/**
 * The runnable gateway: {@link io.dlmsgateway.gateway.DlmsGateway} wires the meter fleet, the disk spool and the
 * ThingsBoard transport together on one event-loop group, as {@code dlms-gateway run} and {@code demo} do.
 */
package io.dlmsgateway.gateway;
