/**
 * Implementation of the gateway's pipeline: readings to telemetry, the spool in between, ThingsBoard RPCs and
 * attribute updates routed to meters, the gateway's own statistics. Not API.
 */
package io.dlmsgateway.gateway.internal;
