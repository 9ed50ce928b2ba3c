package io.dlmsgateway.cli;

import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps Gurux's security logging from printing keys, whatever level a logging configuration sets.
 *
 * <p>Gurux.DLMS 4.0.47 logs through java.util.logging, and some of its lines carry secrets: {@code GXSecure} prints
 * the authentication key, the block cipher key, shared secrets and private keys at FINEST; {@code GXDLMS} private
 * signing keys at FINEST; {@code GXDLMSSecuritySetup} derived keys (GUEK) at INFO and shared secrets at FINEST. The
 * shipped logback.xml keeps those loggers above these levels, but a user's own configuration (or
 * {@code <logger name="gurux" level="TRACE"/>} added while debugging a meter) would let them through. A filter on the
 * java.util.logging loggers themselves drops such records before they reach any handler, so no logging
 * configuration can bring them back.
 */
final class GuruxSecretLogging {

    /** The loggers that print key material, and the lowest level they may still log at. */
    private static final Map<String, Level> LOWEST_SAFE_LEVEL = Map.of(
            "gurux.dlms.secure.GXSecure", Level.WARNING,
            "gurux.dlms.GXDLMS", Level.INFO,
            "gurux.dlms.objects.GXDLMSSecuritySetup", Level.WARNING);

    // java.util.logging keeps loggers weakly: one collected and made again would have lost its filter
    private static List<Logger> clamped = List.of();

    private GuruxSecretLogging() {
    }

    /** Installs the filters; idempotent. */
    static synchronized void clamp() {
        clamped = LOWEST_SAFE_LEVEL.entrySet().stream().map(entry -> {
            Logger logger = Logger.getLogger(entry.getKey());
            int lowest = entry.getValue().intValue();
            logger.setFilter((LogRecord record) -> record.getLevel().intValue() >= lowest);
            return logger;
        }).toList();
    }
}
