package io.dlmsgateway.dlms.sim;

import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.Framing;
import io.netty.channel.EventLoopGroup;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Objects;

/**
 * How a {@link MeterSimulator} runs: where it listens, how many meters, their framing, limits and secrets.
 * Immutable; build with {@link #builder()}.
 */
public final class SimulatorOptions {

    /** Gurux's test block cipher key (GUEK), used for HIGH_GMAC unless configured. */
    public static final String DEFAULT_BLOCK_CIPHER_KEY = "000102030405060708090A0B0C0D0E0F";
    /** Gurux's test authentication key (GAK), used for HIGH_GMAC unless configured. */
    public static final String DEFAULT_AUTHENTICATION_KEY = "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF";
    /** The LOW-security password of client 1 unless configured. */
    public static final String DEFAULT_PASSWORD = "Gurux";
    /** The first meter's port unless configured: the IANA DLMS/COSEM port. */
    public static final int DEFAULT_BASE_PORT = 4059;
    /** Max PDU size the meters accept and send unless configured. */
    public static final int DEFAULT_MAX_PDU_SIZE = 1024;
    /** HDLC physical address of meter 0 unless configured; meter i has this plus i. */
    public static final int DEFAULT_PHYSICAL_ADDRESS_BASE = 16;
    /**
     * Most rows the load profile may hold (history / period): 1 000 000, 48 h at a 1 s period and more; a read of the
     * whole buffer is encoded in one piece (about 24 MB at this bound).
     */
    public static final long MAX_PROFILE_ENTRIES = 1_000_000;

    private final String host;
    private final int basePort;
    private final int meterCount;
    private final Framing framing;
    private final int maxPduSize;
    private final String password;
    private final byte[] blockCipherKey;
    private final byte[] authenticationKey;
    private final int physicalAddressBase;
    private final boolean physicalAddressPerMeter;
    private final int workerThreads;
    private final Duration latency;
    private final Duration inactivityTimeout;
    private final int extraObjects;
    private final Clock clock;
    private final Duration clockOffset;
    private final EventLoopGroup eventLoopGroup;
    private final Duration profilePeriod;
    private final Duration profileHistory;
    private final boolean rangeAccess;
    private final boolean compressedProfile;
    private final DeviationSign deviationSign;
    private final ZoneOffset utcOffset;
    private final int disconnectControlMode;

    /**
     * The Disconnect control's control_mode unless configured: 1, where remote_reconnect closes the relay at once
     * (modes 1, 3, 5 and 6; in 2 and 4 it only makes the meter ready_for_reconnection; 0 is always connected).
     */
    public static final int DEFAULT_DISCONNECT_CONTROL_MODE = 1;

    private SimulatorOptions(Builder b) {
        host = b.host;
        basePort = b.basePort;
        meterCount = b.meterCount;
        framing = b.framing;
        maxPduSize = b.maxPduSize;
        password = b.password;
        blockCipherKey = b.blockCipherKey.clone();
        authenticationKey = b.authenticationKey.clone();
        physicalAddressBase = b.physicalAddressBase;
        physicalAddressPerMeter = b.physicalAddressPerMeter;
        workerThreads = b.workerThreads;
        latency = b.latency;
        inactivityTimeout = b.inactivityTimeout;
        extraObjects = b.extraObjects;
        clock = b.clock;
        clockOffset = b.clockOffset;
        eventLoopGroup = b.eventLoopGroup;
        profilePeriod = b.profilePeriod;
        profileHistory = b.profileHistory;
        rangeAccess = b.rangeAccess;
        compressedProfile = b.compressedProfile;
        deviationSign = b.deviationSign;
        utcOffset = b.utcOffset;
        disconnectControlMode = b.disconnectControlMode;
        if (profileHistory.compareTo(profilePeriod) < 0) {
            throw new IllegalArgumentException("profile history " + profileHistory + " is shorter than the period "
                    + profilePeriod);
        }
        if (SimulatedProfiles.entries(profilePeriod, profileHistory) > MAX_PROFILE_ENTRIES) {
            // a read of the whole buffer is encoded in one piece: keep it to a few MiB, as a real meter's is
            throw new IllegalArgumentException("profile history " + profileHistory + " at a period of "
                    + profilePeriod.toSeconds() + " s is " + SimulatedProfiles.entries(profilePeriod, profileHistory)
                    + " rows, more than " + MAX_PROFILE_ENTRIES);
        }
        if (physicalAddressPerMeter && physicalAddressBase + meterCount - 1 > MeterAddressing.MAX_PHYSICAL_ADDRESS) {
            throw new IllegalArgumentException("physical addresses " + physicalAddressBase + ".."
                    + (physicalAddressBase + meterCount - 1) + " exceed " + MeterAddressing.MAX_PHYSICAL_ADDRESS);
        }
        if (basePort != 0 && basePort + meterCount - 1 > 65535) {
            throw new IllegalArgumentException("ports " + basePort + ".." + (basePort + meterCount - 1)
                    + " exceed 65535");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Address the meters listen on; default 127.0.0.1. */
    public String host() {
        return host;
    }

    /** Port of meter 0; meter i listens on basePort + i. 0 binds every meter to an ephemeral port. */
    public int basePort() {
        return basePort;
    }

    /** Number of meters, each on its own port. */
    public int meterCount() {
        return meterCount;
    }

    public Framing framing() {
        return framing;
    }

    /** Largest APDU the meters receive and send; longer replies go out in blocks. */
    public int maxPduSize() {
        return maxPduSize;
    }

    /** Password of client 1 with LOW authentication. */
    public String password() {
        return password;
    }

    public byte[] blockCipherKey() {
        return blockCipherKey.clone();
    }

    public byte[] authenticationKey() {
        return authenticationKey.clone();
    }

    /** HDLC physical address of meter 0. */
    public int physicalAddressBase() {
        return physicalAddressBase;
    }

    /** True: meter i has physical address base + i; false: every meter has the base address. */
    public boolean physicalAddressPerMeter() {
        return physicalAddressPerMeter;
    }

    /** Event-loop threads serving the connections (ignored when an event loop group is handed in). */
    public int workerThreads() {
        return workerThreads;
    }

    /** Initial reply delay of every meter; each meter's can be changed at run time. */
    public Duration latency() {
        return latency;
    }

    /** A connection idle this long is closed, like a meter's inactivity timeout; zero never closes. */
    public Duration inactivityTimeout() {
        return inactivityTimeout;
    }

    /** Extra Data objects every meter carries, to make its object list realistically long. */
    public int extraObjects() {
        return extraObjects;
    }

    /** Time source of the simulated values and the meters' clocks. */
    public Clock clock() {
        return clock;
    }

    /**
     * How far every meter's clock starts ahead of {@link #clock()} (negative: behind); each meter's clock can then
     * be set or shifted on its own ({@link SimulatedMeter#clockOffset(Duration)}, or by a client).
     */
    public Duration clockOffset() {
        return clockOffset;
    }

    /** The event loops to run on, owned by the caller; null when the simulator creates and owns its own. */
    public EventLoopGroup eventLoopGroup() {
        return eventLoopGroup;
    }

    /** Capture period of the load profile ({@link SimulatedProfiles#LOAD_PROFILE}); default 15 minutes. */
    public Duration profilePeriod() {
        return profilePeriod;
    }

    /** How far back the profiles reach from the meter's time; default 7 days. */
    public Duration profileHistory() {
        return profileHistory;
    }

    /**
     * Whether the meters serve selective access by range (selector 1) on their profiles; false: they refuse it with a
     * data-access-result (other-reason), as older meters do, and serve by entry only. Default true.
     */
    public boolean rangeAccess() {
        return rangeAccess;
    }

    /** Whether the load profile's rows after the first of each reply carry a null clock (compressed profile). */
    public boolean compressedProfile() {
        return compressedProfile;
    }

    /** How the meters sign the deviation of the date-times they send and read; default STANDARD. */
    public DeviationSign deviationSign() {
        return deviationSign;
    }

    /** The offset of the meters' local time from UTC; default UTC. */
    public ZoneOffset utcOffset() {
        return utcOffset;
    }

    /** The control_mode every meter's Disconnect control starts with, 0..6. */
    public int disconnectControlMode() {
        return disconnectControlMode;
    }

    static int checkControlMode(int mode) {
        if (mode < 0 || mode > 6) {
            throw new IllegalArgumentException("disconnect control mode out of range 0..6: " + mode);
        }
        return mode;
    }

    /** Builder of {@link SimulatorOptions}; every setting has a default. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int basePort = DEFAULT_BASE_PORT;
        private int meterCount = 1;
        private Framing framing = Framing.WRAPPER;
        private int maxPduSize = DEFAULT_MAX_PDU_SIZE;
        private String password = DEFAULT_PASSWORD;
        private byte[] blockCipherKey = HexFormat.of().parseHex(DEFAULT_BLOCK_CIPHER_KEY);
        private byte[] authenticationKey = HexFormat.of().parseHex(DEFAULT_AUTHENTICATION_KEY);
        private int physicalAddressBase = DEFAULT_PHYSICAL_ADDRESS_BASE;
        private boolean physicalAddressPerMeter = true;
        private int workerThreads = Runtime.getRuntime().availableProcessors();
        private Duration latency = Duration.ZERO;
        private Duration inactivityTimeout = Duration.ZERO;
        private int extraObjects = 16;
        private Clock clock = Clock.systemUTC();
        private Duration clockOffset = Duration.ZERO;
        private EventLoopGroup eventLoopGroup;
        private Duration profilePeriod = SimulatedProfiles.DEFAULT_PERIOD;
        private Duration profileHistory = SimulatedProfiles.DEFAULT_HISTORY;
        private boolean rangeAccess = true;
        private boolean compressedProfile;
        private DeviationSign deviationSign = DeviationSign.STANDARD;
        private ZoneOffset utcOffset = ZoneOffset.UTC;
        private int disconnectControlMode = DEFAULT_DISCONNECT_CONTROL_MODE;

        private Builder() {
        }

        /** Whole seconds, 1 s to 1 day. */
        public Builder profilePeriod(Duration period) {
            if (period == null || period.toMillis() % 1000 != 0 || period.getSeconds() < 1
                    || period.getSeconds() > 86_400) {
                throw new IllegalArgumentException("profile period must be whole seconds from 1 s to 1 day: "
                        + period);
            }
            this.profilePeriod = period;
            return this;
        }

        /** Positive, at most 400 days, and not shorter than the period. */
        public Builder profileHistory(Duration history) {
            if (history == null || history.isNegative() || history.isZero() || history.toDays() > 400) {
                throw new IllegalArgumentException("profile history must be positive and at most 400 days: "
                        + history);
            }
            this.profileHistory = history;
            return this;
        }

        public Builder rangeAccess(boolean served) {
            this.rangeAccess = served;
            return this;
        }

        public Builder compressedProfile(boolean compressed) {
            this.compressedProfile = compressed;
            return this;
        }

        public Builder deviationSign(DeviationSign sign) {
            this.deviationSign = Objects.requireNonNull(sign, "deviationSign");
            return this;
        }

        /** Whole minutes, as a date-time's deviation carries. */
        public Builder utcOffset(ZoneOffset offset) {
            Objects.requireNonNull(offset, "utcOffset");
            if (offset.getTotalSeconds() % 60 != 0) {
                throw new IllegalArgumentException("UTC offset must be whole minutes: " + offset);
            }
            this.utcOffset = offset;
            return this;
        }

        /**
         * The Disconnect control's control_mode (IEC 62056-6-2 class 70), 0..6: 0 none (always connected; both remote
         * methods are refused with object-unavailable); in 1, 3, 5 and 6 remote_reconnect connects at once, in 2
         * and 4 it only makes the meter ready_for_reconnection (a person at the meter closes the relay). Default 1.
         */
        public Builder disconnectControlMode(int mode) {
            this.disconnectControlMode = checkControlMode(mode);
            return this;
        }

        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Port of meter 0, 1..65535, or 0 for ephemeral ports (tests: read them from {@code addresses()}). */
        public Builder basePort(int basePort) {
            if (basePort < 0 || basePort > 65535) {
                throw new IllegalArgumentException("port out of range 0..65535: " + basePort);
            }
            this.basePort = basePort;
            return this;
        }

        public Builder meterCount(int meterCount) {
            if (meterCount < 1) {
                throw new IllegalArgumentException("meter count must be at least 1: " + meterCount);
            }
            this.meterCount = meterCount;
            return this;
        }

        public Builder framing(Framing framing) {
            this.framing = Objects.requireNonNull(framing, "framing");
            return this;
        }

        /** 64..65535, as DLMS allows. */
        public Builder maxPduSize(int maxPduSize) {
            if (maxPduSize < 64 || maxPduSize > 0xFFFF) {
                throw new IllegalArgumentException("max PDU size out of range 64..65535: " + maxPduSize);
            }
            this.maxPduSize = maxPduSize;
            return this;
        }

        public Builder password(String password) {
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** 16 bytes (AES-128). */
        public Builder blockCipherKey(byte[] key) {
            this.blockCipherKey = key16(key, "block cipher key");
            return this;
        }

        /** 16 bytes. */
        public Builder authenticationKey(byte[] key) {
            this.authenticationKey = key16(key, "authentication key");
            return this;
        }

        /**
         * HDLC physical address of meter 0 and whether each meter gets its own (base + index, the default) or all
         * share the base.
         */
        public Builder physicalAddress(int base, boolean perMeter) {
            if (base < 1 || base > MeterAddressing.MAX_PHYSICAL_ADDRESS) {
                throw new IllegalArgumentException("physical address out of range 1.."
                        + MeterAddressing.MAX_PHYSICAL_ADDRESS + ": " + base);
            }
            this.physicalAddressBase = base;
            this.physicalAddressPerMeter = perMeter;
            return this;
        }

        public Builder workerThreads(int workerThreads) {
            if (workerThreads < 1) {
                throw new IllegalArgumentException("worker threads must be at least 1: " + workerThreads);
            }
            this.workerThreads = workerThreads;
            return this;
        }

        public Builder latency(Duration latency) {
            this.latency = nonNegative(latency, "latency");
            return this;
        }

        public Builder inactivityTimeout(Duration timeout) {
            this.inactivityTimeout = nonNegative(timeout, "inactivity timeout");
            return this;
        }

        public Builder extraObjects(int extraObjects) {
            if (extraObjects < 0 || extraObjects > 200) {
                throw new IllegalArgumentException("extra objects out of range 0..200: " + extraObjects);
            }
            this.extraObjects = extraObjects;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Starts every meter's clock this far ahead of {@link #clock(Clock)} (negative: behind); zero unless set. */
        public Builder clockOffset(Duration offset) {
            this.clockOffset = Objects.requireNonNull(offset, "clockOffset");
            return this;
        }

        /**
         * Runs the meters on the caller's event loops (accepting and serving); the simulator then never shuts them
         * down. Without it the simulator makes one accepting thread and {@code workerThreads} serving threads.
         */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.eventLoopGroup = group;
            return this;
        }

        public SimulatorOptions build() {
            return new SimulatorOptions(this);
        }

        private static byte[] key16(byte[] key, String what) {
            if (key == null || key.length != 16) {
                throw new IllegalArgumentException(what + " must be 16 bytes");
            }
            return key.clone();
        }

        private static Duration nonNegative(Duration d, String what) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException(what + " must be zero or positive: " + d);
            }
            return d;
        }
    }
}
