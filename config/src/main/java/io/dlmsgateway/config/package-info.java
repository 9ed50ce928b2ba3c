/**
 * The gateway's configuration, read from the files the Python ThingsBoard IoT Gateway connector's users already
 * have: {@code tb_gateway.yaml} and the connector's JSON file it names.
 *
 * <p>{@link io.dlmsgateway.config.GatewayConfigLoader} reads and validates both files and returns an immutable
 * {@link io.dlmsgateway.config.GatewayConfig}, or throws a {@link io.dlmsgateway.config.ConfigException} listing every
 * problem found, each with its file and its path inside the file.
 */
package io.dlmsgateway.config;
