/**
 * Implementation of the meter fleet: one {@code MeterSession} per meter, the connection-attempt limiter, reconnect
 * backoff and the bounded reading buffer. Not API: may change without notice.
 */
package io.dlmsgateway.fleet.internal;
