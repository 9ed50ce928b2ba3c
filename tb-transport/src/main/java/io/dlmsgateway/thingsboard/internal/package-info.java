/**
 * Implementation of {@code io.dlmsgateway.thingsboard}: the HiveMQ-based transport, payload encoding and splitting,
 * the in-flight window and PEM loading. Not API: anything here may change.
 */
package io.dlmsgateway.thingsboard.internal;
