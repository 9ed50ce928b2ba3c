/**
 * ThingsBoard Gateway MQTT API client. It knows nothing of DLMS: anything that can produce a {@code Flux} of device
 * telemetry can publish it through this module.
 */
package io.dlmsgateway.thingsboard;
