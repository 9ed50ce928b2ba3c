/**
 * The durable spool between the meter fleet and the ThingsBoard publisher: {@link io.dlmsgateway.spool.Spool}
 * stores opaque records on local disk (SQLite), hands them out in batches on demand and forgets them once
 * acknowledged. It knows nothing of DLMS, JSON or MQTT.
 */
package io.dlmsgateway.spool;
