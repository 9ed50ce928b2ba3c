package io.dlmsgateway.dlms.sim;

import gurux.dlms.GXDLMSClient;
import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.Framing;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * What a client needs to reach and associate with the simulated meters.
 *
 * <ul>
 *   <li>Client 16 (public): authentication NONE only.</li>
 *   <li>Client 1 (management): LOW with {@link #password()}, or HIGH_GMAC (security suite 0, authenticated
 *       encryption) with {@link #blockCipherKey()} and {@link #authenticationKey()}; the meter takes the mechanism
 *       the AARQ names. NONE is refused for client 1.</li>
 *   <li>WRAPPER: server wPort {@value #SERVER_WPORT}; the client wPort is the client address.</li>
 *   <li>HDLC: server logical address {@value #LOGICAL_ADDRESS}, physical address {@link #physicalAddress(int)};
 *       the combined address is {@code GXDLMSClient.getServerAddress(logical, physical)}
 *       ({@link #serverAddress(int)}).</li>
 *   <li>Server system title of meter i: ASCII "GRX" followed by i as a 5-byte big-endian number.</li>
 * </ul>
 */
public final class MeterAddressing {

    /** Client address (HDLC) or wPort (WRAPPER) of the public client, authentication NONE. */
    public static final int PUBLIC_CLIENT = 16;
    /** Client address (HDLC) or wPort (WRAPPER) of the management client, authentication LOW or HIGH_GMAC. */
    public static final int MANAGEMENT_CLIENT = 1;
    /** HDLC logical address of the management logical device. */
    public static final int LOGICAL_ADDRESS = 1;
    /** Destination wPort of the management logical device over WRAPPER. */
    public static final int SERVER_WPORT = 1;
    /** Largest HDLC physical address (14 bits). */
    public static final int MAX_PHYSICAL_ADDRESS = 0x3FFF;

    private final Framing framing;
    private final int physicalBase;
    private final boolean perMeter;
    private final String password;
    private final byte[] blockCipherKey;
    private final byte[] authenticationKey;

    MeterAddressing(SimulatorOptions options) {
        this.framing = options.framing();
        this.physicalBase = options.physicalAddressBase();
        this.perMeter = options.physicalAddressPerMeter();
        this.password = options.password();
        this.blockCipherKey = options.blockCipherKey();
        this.authenticationKey = options.authenticationKey();
    }

    public Framing framing() {
        return framing;
    }

    /** The client address (or client wPort) to use with that authentication. */
    public int clientAddress(Authentication authentication) {
        return authentication == Authentication.NONE ? PUBLIC_CLIENT : MANAGEMENT_CLIENT;
    }

    /** HDLC server logical address. */
    public int logicalAddress() {
        return LOGICAL_ADDRESS;
    }

    /** HDLC physical address of meter {@code meterIndex}. */
    public int physicalAddress(int meterIndex) {
        return perMeter ? physicalBase + meterIndex : physicalBase;
    }

    /** True when every meter has its own physical address. */
    public boolean physicalAddressPerMeter() {
        return perMeter;
    }

    /**
     * The server address to hand to {@code GXDLMSClient}: the wPort {@value #SERVER_WPORT} over WRAPPER, the
     * combined {@code GXDLMSClient.getServerAddress(logical, physical)} over HDLC (2-byte address while the
     * physical address is below 128, 4-byte above).
     */
    public int serverAddress(int meterIndex) {
        return framing == Framing.WRAPPER ? SERVER_WPORT : hdlcServerAddress(meterIndex);
    }

    /** {@code GXDLMSClient.getServerAddress(logicalAddress(), physicalAddress(meterIndex))}. */
    public int hdlcServerAddress(int meterIndex) {
        return GXDLMSClient.getServerAddress(LOGICAL_ADDRESS, physicalAddress(meterIndex));
    }

    /** Destination wPort over WRAPPER. */
    public int serverWPort() {
        return SERVER_WPORT;
    }

    /** LOW-security password of client 1. */
    public String password() {
        return password;
    }

    public byte[] blockCipherKey() {
        return blockCipherKey.clone();
    }

    public byte[] authenticationKey() {
        return authenticationKey.clone();
    }

    /** Server system title of meter {@code meterIndex}: "GRX" and the index as 5 big-endian bytes. */
    public byte[] serverSystemTitle(int meterIndex) {
        byte[] st = new byte[8];
        byte[] grx = "GRX".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(grx, 0, st, 0, 3);
        long v = meterIndex & 0xFFFFFFFFL;
        for (int i = 7; i >= 3; i--) {
            st[i] = (byte) v;
            v >>>= 8;
        }
        return st;
    }

    /** One line naming everything a client needs, meter indexes counted from 0. */
    public String describe(int meterCount) {
        StringBuilder sb = new StringBuilder();
        sb.append("client ").append(PUBLIC_CLIENT).append(" (no auth), client ").append(MANAGEMENT_CLIENT)
                .append(" (LOW password '").append(password).append("' / HIGH_GMAC suite 0, GUEK ")
                .append(HexFormat.of().withUpperCase().formatHex(blockCipherKey)).append(", GAK ")
                .append(HexFormat.of().withUpperCase().formatHex(authenticationKey))
                .append(", server system title 'GRX'+index as 5 bytes)");
        if (framing == Framing.WRAPPER) {
            sb.append("; server wPort ").append(SERVER_WPORT).append(", client wPort = client address");
        } else {
            sb.append("; server logical address ").append(LOGICAL_ADDRESS).append(", physical address ");
            if (perMeter && meterCount > 1) {
                sb.append(physicalBase).append("+index (").append(physicalAddress(0)).append("..")
                        .append(physicalAddress(meterCount - 1)).append(")");
            } else {
                sb.append(physicalAddress(0));
            }
            sb.append(", server address = GXDLMSClient.getServerAddress(1, physical)");
            sb.append(perMeter && meterCount > 1 ? " (meter 0: " : " = ").append(hdlcServerAddress(0));
            if (perMeter && meterCount > 1) {
                sb.append(", meter ").append(meterCount - 1).append(": ").append(hdlcServerAddress(meterCount - 1))
                        .append(')');
            }
        }
        return sb.toString();
    }
}
