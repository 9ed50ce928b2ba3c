/**
 * An in-process MQTT 3.1.1 broker (Moquette) that stands in for ThingsBoard in tests and demonstrations: a ThingsBoard
 * client connects to it as to ThingsBoard's MQTT transport, and a second plain MQTT client subscribed to the gateway
 * topics plays the server side. It accepts any user name, as ThingsBoard accepts any token syntactically, and
 * enforces ThingsBoard's default maximum message size. Like ThingsBoard's port 8883 it can serve TLS, optionally
 * requiring a client certificate (X.509 device authentication).
 */
package io.dlmsgateway.thingsboard.broker;
