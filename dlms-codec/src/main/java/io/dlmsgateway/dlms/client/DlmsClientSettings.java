package io.dlmsgateway.dlms.client;

import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.Framing;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * How to reach and associate with one meter: framing, addressing, authentication and timeouts. Immutable; build one
 * with {@link #builder()}.
 *
 * <p>Defaults match the public client of most meters and of Gurux's examples: WRAPPER, no authentication, client
 * address 16, server logical address 1. With authentication the client address defaults to 1, the management client
 * (see {@link #defaultClientAddress}); this class is the one place that default lives.
 */
public final class DlmsClientSettings {

    /** Block cipher key of Gurux's examples and of the simulated meters (security suite 0, AES-128). */
    public static final String DEFAULT_BLOCK_CIPHER_KEY = "000102030405060708090A0B0C0D0E0F";
    /** Authentication key of Gurux's examples and of the simulated meters. */
    public static final String DEFAULT_AUTHENTICATION_KEY = "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF";
    /** Client system title of Gurux's examples ("GRX" and five bytes). */
    public static final String DEFAULT_CLIENT_SYSTEM_TITLE = "4752580000000001";
    /** Client address (SAP) of the public client, which needs no authentication. */
    public static final int PUBLIC_CLIENT_ADDRESS = 16;
    /** Client address (SAP) of the management client, which meters usually require for LOW and HLS. */
    public static final int MANAGEMENT_CLIENT_ADDRESS = 1;
    /**
     * Default cap on the bytes of one reply, all of its HDLC segments or GET data blocks together: 1 MiB, far above a
     * day of a 15-minute load profile, far below what a few hostile meters could otherwise make the gateway hold.
     */
    public static final int DEFAULT_MAX_REPLY_BYTES = 1 << 20;
    /** Smallest {@link Builder#maxReplyBytes}: one largest APDU and its framing. */
    public static final int MIN_MAX_REPLY_BYTES = 0xFFFF + 64;

    private final Framing framing;
    private final int clientAddress;
    /** False when the address is the default, so that a derived builder lets it follow a new authentication. */
    private final boolean clientAddressGiven;
    private final int logicalAddress;
    private final int physicalAddress;
    private final Authentication authentication;
    private final byte[] password;
    private final byte[] blockCipherKey;
    private final byte[] authenticationKey;
    private final byte[] clientSystemTitle;
    private final long invocationCounter;
    /** Null: the association starts from {@link #invocationCounter} without asking the meter. */
    private final io.dlmsgateway.dlms.ObisCode invocationCounterObject;
    private final int maxPduSize;
    private final Duration requestTimeout;
    private final Duration connectTimeout;
    private final int maxReplyBytes;
    /** Null: ten request timeouts. */
    private final Duration exchangeTimeout;
    private final DeviationSign deviationSign;
    private final ZoneOffset clockOffset;

    private DlmsClientSettings(Builder b) {
        this.framing = b.framing;
        this.clientAddress = b.clientAddress != null ? b.clientAddress : defaultClientAddress(b.authentication);
        this.clientAddressGiven = b.clientAddress != null;
        this.logicalAddress = b.logicalAddress;
        this.physicalAddress = b.physicalAddress;
        this.authentication = b.authentication;
        this.password = b.password;
        this.blockCipherKey = b.blockCipherKey;
        this.authenticationKey = b.authenticationKey;
        this.clientSystemTitle = b.clientSystemTitle;
        this.invocationCounter = b.invocationCounter;
        this.invocationCounterObject = b.invocationCounterObject;
        this.maxPduSize = b.maxPduSize;
        this.requestTimeout = b.requestTimeout;
        this.connectTimeout = b.connectTimeout;
        this.maxReplyBytes = b.maxReplyBytes;
        this.exchangeTimeout = b.exchangeTimeout;
        this.deviationSign = b.deviationSign;
        this.clockOffset = b.clockOffset;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The client address used when none is given: {@link #PUBLIC_CLIENT_ADDRESS} (16) without authentication,
     * {@link #MANAGEMENT_CLIENT_ADDRESS} (1) with LOW or HIGH_GMAC, as most meters and Gurux's examples expect.
     */
    public static int defaultClientAddress(Authentication authentication) {
        return authentication == Authentication.NONE ? PUBLIC_CLIENT_ADDRESS : MANAGEMENT_CLIENT_ADDRESS;
    }

    /** A builder holding this instance's values, to derive a variant. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.framing = framing;
        b.clientAddress = clientAddressGiven ? clientAddress : null;
        b.logicalAddress = logicalAddress;
        b.physicalAddress = physicalAddress;
        b.authentication = authentication;
        b.password = password;
        b.blockCipherKey = blockCipherKey;
        b.authenticationKey = authenticationKey;
        b.clientSystemTitle = clientSystemTitle;
        b.invocationCounter = invocationCounter;
        b.invocationCounterObject = invocationCounterObject;
        b.maxPduSize = maxPduSize;
        b.requestTimeout = requestTimeout;
        b.connectTimeout = connectTimeout;
        b.maxReplyBytes = maxReplyBytes;
        b.exchangeTimeout = exchangeTimeout;
        b.deviationSign = deviationSign;
        b.clockOffset = clockOffset;
        return b;
    }

    public Framing framing() {
        return framing;
    }

    /** Client SAP: WRAPPER source wPort, or HDLC client address. */
    public int clientAddress() {
        return clientAddress;
    }

    /** Server logical device address (WRAPPER destination wPort, HDLC upper address). */
    public int logicalAddress() {
        return logicalAddress;
    }

    /** HDLC lower (physical) address; unused by WRAPPER. */
    public int physicalAddress() {
        return physicalAddress;
    }

    public Authentication authentication() {
        return authentication;
    }

    byte[] password() {
        return password;
    }

    byte[] blockCipherKey() {
        return blockCipherKey;
    }

    byte[] authenticationKey() {
        return authenticationKey;
    }

    byte[] clientSystemTitle() {
        return clientSystemTitle;
    }

    /** Invocation counter the first ciphered APDU of an association starts from (HIGH_GMAC). */
    public long invocationCounter() {
        return invocationCounter;
    }

    /**
     * The meter's frame-counter Data object (usually {@code 0.0.43.1.0.255}; 0.0.43.1.x.255 per client on some
     * meters), when set: with HIGH_GMAC, {@link DlmsConnection#open} first associates as the public client (16, no
     * security, same framing and server address), reads its value, releases, and then starts the association at
     * {@code max(value + 1, invocationCounter())}, as Gurux's reader does. The object holds the last counter the meter
     * accepted from this client, so the next one above it is the first it takes.
     */
    public java.util.Optional<io.dlmsgateway.dlms.ObisCode> invocationCounterObject() {
        return java.util.Optional.ofNullable(invocationCounterObject);
    }

    /** Largest APDU this client accepts; the meter uses block transfer for longer replies. */
    public int maxPduSize() {
        return maxPduSize;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * Most bytes one reply may take on the wire, all of its HDLC segments or GET data blocks together; a read of
     * registers is held to far less (about 1 KiB per attribute asked plus one PDU), a read of any attribute (a load
     * profile) to this. A meter that sends more, or keeps sending blocks, loses its connection with a
     * {@link DlmsProtocolViolationException} naming the bound.
     */
    public int maxReplyBytes() {
        return maxReplyBytes;
    }

    /**
     * How long one exchange may take from its request to the last block or segment of its reply. Each block must also
     * come within {@link #requestTimeout()}, but asking for the next block does not extend this deadline, so a meter
     * that dribbles blocks forever is cut off. Default: ten request timeouts.
     */
    public Duration exchangeTimeout() {
        return exchangeTimeout != null ? exchangeTimeout : requestTimeout.multipliedBy(10);
    }

    /**
     * How this meter signs the deviation of its date-times (profile rows, its clock); {@link DeviationSign#STANDARD}
     * by default, as the Blue Book says. A property of the meter's firmware.
     */
    public DeviationSign deviationSign() {
        return deviationSign;
    }

    /**
     * The offset from UTC of the meter's local time: what a date-time whose deviation is "not specified" is read
     * at, and the offset of the date-times this client sends (the bounds of a range read). UTC by default.
     */
    public ZoneOffset clockOffset() {
        return clockOffset;
    }

    /**
     * Equal when every setting is, keys and password by content: lets a fleet keep one instance for the many meters
     * configured alike.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof DlmsClientSettings s && framing == s.framing && clientAddress == s.clientAddress
                && clientAddressGiven == s.clientAddressGiven && logicalAddress == s.logicalAddress
                && physicalAddress == s.physicalAddress && authentication == s.authentication
                && Arrays.equals(password, s.password) && Arrays.equals(blockCipherKey, s.blockCipherKey)
                && Arrays.equals(authenticationKey, s.authenticationKey)
                && Arrays.equals(clientSystemTitle, s.clientSystemTitle) && invocationCounter == s.invocationCounter
                && Objects.equals(invocationCounterObject, s.invocationCounterObject) && maxPduSize == s.maxPduSize
                && requestTimeout.equals(s.requestTimeout) && connectTimeout.equals(s.connectTimeout)
                && maxReplyBytes == s.maxReplyBytes && Objects.equals(exchangeTimeout, s.exchangeTimeout)
                && deviationSign == s.deviationSign && clockOffset.equals(s.clockOffset);
    }

    @Override
    public int hashCode() {
        return Objects.hash(framing, clientAddress, logicalAddress, physicalAddress, authentication,
                Arrays.hashCode(blockCipherKey), invocationCounter, requestTimeout, connectTimeout, maxReplyBytes);
    }

    private static final byte[] DEFAULT_BLOCK_CIPHER_KEY_BYTES = HexFormat.of().parseHex(DEFAULT_BLOCK_CIPHER_KEY);
    private static final byte[] DEFAULT_AUTHENTICATION_KEY_BYTES = HexFormat.of().parseHex(DEFAULT_AUTHENTICATION_KEY);
    private static final byte[] DEFAULT_CLIENT_SYSTEM_TITLE_BYTES = HexFormat.of().parseHex(
            DEFAULT_CLIENT_SYSTEM_TITLE);

    /** Builder of {@link DlmsClientSettings}. */
    public static final class Builder {
        private Framing framing = Framing.WRAPPER;
        /** Null until given: then it follows the authentication, see {@link #defaultClientAddress}. */
        private Integer clientAddress;
        private int logicalAddress = 1;
        private int physicalAddress = 1;
        private Authentication authentication = Authentication.NONE;
        private byte[] password;
        // the defaults are shared by every settings object that keeps them (~90 bytes per meter otherwise): nothing
        // writes into these arrays, here or in Gurux, which only reads the keys it is given
        private byte[] blockCipherKey = DEFAULT_BLOCK_CIPHER_KEY_BYTES;
        private byte[] authenticationKey = DEFAULT_AUTHENTICATION_KEY_BYTES;
        private byte[] clientSystemTitle = DEFAULT_CLIENT_SYSTEM_TITLE_BYTES;
        private long invocationCounter;
        private io.dlmsgateway.dlms.ObisCode invocationCounterObject;
        private int maxPduSize = 0xFFFF;
        private Duration requestTimeout = Duration.ofSeconds(5);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private int maxReplyBytes = DEFAULT_MAX_REPLY_BYTES;
        private Duration exchangeTimeout;
        private DeviationSign deviationSign = DeviationSign.STANDARD;
        private ZoneOffset clockOffset = ZoneOffset.UTC;

        private Builder() {
        }

        public Builder framing(Framing value) {
            this.framing = Objects.requireNonNull(value, "framing");
            return this;
        }

        /** Client SAP; when not given, 16 without authentication and 1 with it. */
        public Builder clientAddress(int value) {
            this.clientAddress = requireRange("clientAddress", value, 1, 0x7F);
            return this;
        }

        public Builder logicalAddress(int value) {
            this.logicalAddress = requireRange("logicalAddress", value, 0, 0x3FFF);
            return this;
        }

        public Builder physicalAddress(int value) {
            this.physicalAddress = requireRange("physicalAddress", value, 0, 0x3FFF);
            return this;
        }

        public Builder authentication(Authentication value) {
            this.authentication = Objects.requireNonNull(value, "authentication");
            return this;
        }

        /** LOW authentication password, sent as ASCII. */
        public Builder password(String value) {
            this.password = value == null ? null : value.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            return this;
        }

        /** Security suite 0 global unicast encryption key: 16 bytes as 32 hex digits. */
        public Builder blockCipherKey(String hex) {
            this.blockCipherKey = requireKey("blockCipherKey", hex, 16);
            return this;
        }

        /** Security suite 0 authentication key: 16 bytes as 32 hex digits. */
        public Builder authenticationKey(String hex) {
            this.authenticationKey = requireKey("authenticationKey", hex, 16);
            return this;
        }

        /** This client's system title: 8 bytes as 16 hex digits. */
        public Builder clientSystemTitle(String hex) {
            this.clientSystemTitle = requireKey("clientSystemTitle", hex, 8);
            return this;
        }

        public Builder invocationCounter(long value) {
            if (value < 0 || value > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("invocationCounter out of range 0..4294967295: " + value);
            }
            this.invocationCounter = value;
            return this;
        }

        /** See {@link DlmsClientSettings#invocationCounterObject()}; null reads none. */
        public Builder invocationCounterObject(io.dlmsgateway.dlms.ObisCode value) {
            this.invocationCounterObject = value;
            return this;
        }

        public Builder maxPduSize(int value) {
            this.maxPduSize = requireRange("maxPduSize", value, 64, 0xFFFF);
            return this;
        }

        public Builder requestTimeout(Duration value) {
            this.requestTimeout = requirePositive("requestTimeout", value);
            return this;
        }

        public Builder connectTimeout(Duration value) {
            this.connectTimeout = requirePositive("connectTimeout", value);
            return this;
        }

        /** See {@link DlmsClientSettings#maxReplyBytes()}; at least {@link #MIN_MAX_REPLY_BYTES}. */
        public Builder maxReplyBytes(int value) {
            this.maxReplyBytes = requireRange("maxReplyBytes", value, MIN_MAX_REPLY_BYTES, Integer.MAX_VALUE);
            return this;
        }

        /** See {@link DlmsClientSettings#exchangeTimeout()}. */
        public Builder exchangeTimeout(Duration value) {
            this.exchangeTimeout = requirePositive("exchangeTimeout", value);
            return this;
        }

        /** See {@link DlmsClientSettings#deviationSign()}. */
        public Builder deviationSign(DeviationSign value) {
            this.deviationSign = Objects.requireNonNull(value, "deviationSign");
            return this;
        }

        /**
         * See {@link DlmsClientSettings#clockOffset()}; whole minutes, as a date-time's deviation can only carry
         * those.
         */
        public Builder clockOffset(ZoneOffset value) {
            Objects.requireNonNull(value, "clockOffset");
            if (value.getTotalSeconds() % 60 != 0) {
                throw new IllegalArgumentException("clockOffset must be whole minutes: " + value);
            }
            this.clockOffset = value;
            return this;
        }

        public DlmsClientSettings build() {
            if (authentication == Authentication.LOW && (password == null || password.length == 0)) {
                throw new IllegalArgumentException("LOW authentication needs a password");
            }
            return new DlmsClientSettings(this);
        }

        private static int requireRange(String name, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " out of range " + min + ".." + max + ": " + value);
            }
            return value;
        }

        private static Duration requirePositive(String name, Duration value) {
            if (value == null || value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
            return value;
        }

        private static byte[] requireKey(String name, String hex, int length) {
            byte[] bytes;
            try {
                bytes = HexFormat.of().parseHex(Objects.requireNonNull(hex, name).replace(" ", ""));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + " is not hexadecimal: " + e.getMessage(), e);
            }
            if (bytes.length != length) {
                throw new IllegalArgumentException(name + " must be " + length + " bytes (" + 2 * length
                        + " hex digits), got " + bytes.length);
            }
            return bytes;
        }
    }
}
