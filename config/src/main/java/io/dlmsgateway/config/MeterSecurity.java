package io.dlmsgateway.config;

import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.ObisCode;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * How the gateway authenticates to one meter. Secrets may come inline, from {@code ${env:NAME}} or from
 * {@code ${file:path}}; here they are already resolved. Byte arrays are copied in and out so the record stays
 * immutable, and {@link #toString()} never shows a secret.
 *
 * @param authentication    NONE, LOW or HIGH_GMAC
 * @param password          the LOW password (required for LOW, rejected otherwise)
 * @param blockCipherKey    the suite 0 block cipher key, 16 bytes (required for HIGH_GMAC)
 * @param authenticationKey the suite 0 authentication key, 16 bytes (required for HIGH_GMAC)
 * @param systemTitle       the client's system title, 8 bytes, when given (HIGH_GMAC only)
 * @param invocationCounterObject the meter's frame-counter object read through the public client before each
 *                          association, when given (HIGH_GMAC only; usually 0.0.43.1.0.255)
 */
public record MeterSecurity(Authentication authentication, Optional<String> password, Optional<byte[]> blockCipherKey,
                            Optional<byte[]> authenticationKey, Optional<byte[]> systemTitle,
                            Optional<ObisCode> invocationCounterObject) {

    /** No authentication, no keys. */
    public static final MeterSecurity NONE = new MeterSecurity(Authentication.NONE, Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty());

    public MeterSecurity {
        Objects.requireNonNull(authentication, "authentication");
        Objects.requireNonNull(password, "password");
        blockCipherKey = blockCipherKey.map(byte[]::clone);
        authenticationKey = authenticationKey.map(byte[]::clone);
        systemTitle = systemTitle.map(byte[]::clone);
        Objects.requireNonNull(invocationCounterObject, "invocationCounterObject");
    }

    /** Security without a frame-counter object. */
    public MeterSecurity(Authentication authentication, Optional<String> password, Optional<byte[]> blockCipherKey,
            Optional<byte[]> authenticationKey, Optional<byte[]> systemTitle) {
        this(authentication, password, blockCipherKey, authenticationKey, systemTitle, Optional.empty());
    }

    @Override
    public Optional<byte[]> blockCipherKey() {
        return blockCipherKey.map(byte[]::clone);
    }

    @Override
    public Optional<byte[]> authenticationKey() {
        return authenticationKey.map(byte[]::clone);
    }

    @Override
    public Optional<byte[]> systemTitle() {
        return systemTitle.map(byte[]::clone);
    }

    @Override
    public String toString() {
        return "MeterSecurity[" + authentication
                + (password.isPresent() ? ", password=***" : "")
                + (blockCipherKey.isPresent() ? ", blockCipherKey=***" : "")
                + (authenticationKey.isPresent() ? ", authenticationKey=***" : "")
                + (systemTitle.isPresent() ? ", systemTitle=" + HexFormat.of().formatHex(systemTitle.get())
                : "")
                + invocationCounterObject.map(o -> ", invocationCounterObject=" + o).orElse("")
                + "]";
    }
}
