package io.dlmsgateway.dlms.client.internal;

import gurux.dlms.GXDLMSClient;
import gurux.dlms.GXDLMSSettings;
import gurux.dlms.enums.Authentication;
import gurux.dlms.asn.GXPkcs8;
import gurux.dlms.asn.GXx509Certificate;
import gurux.dlms.enums.Conformance;
import gurux.dlms.enums.DateTimeSkips;
import gurux.dlms.enums.InterfaceType;
import gurux.dlms.enums.Security;
import gurux.dlms.secure.GXDLMSSecureClient;
import io.dlmsgateway.dlms.Framing;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds the Gurux client of one association from our settings; Gurux is used for bytes only, never for I/O. */
public final class GuruxClients {

    private static final Set<DateTimeSkips> NO_SKIPS = Collections.unmodifiableSet(EnumSet.noneOf(DateTimeSkips.class));
    private static final List<Map.Entry<GXPkcs8, GXx509Certificate>> NO_KEYS = List.of();
    private static final byte[] NO_PASSWORD = new byte[0];
    /**
     * What every client we make proposes, Gurux's logical-name flags without general-block-transfer: one read-only
     * set for all of them, where a set each kept 32 bytes per meter. Gurux only reads a client's proposed set; it
     * rewrites it only on a switch between logical and short names, which we never make (and which would throw).
     */
    private static final Set<Conformance> PROPOSED =
            Collections.unmodifiableSet(proposed(GXDLMSClient.getInitialConformance(true)));

    private GuruxClients() {
    }

    /**
     * @param serverAddress   WRAPPER destination wPort, or the combined HDLC server address
     * @param blockCipherKey  used with HIGH_GMAC only
     */
    public static GXDLMSClient create(Framing framing, int clientAddress, int serverAddress,
            io.dlmsgateway.dlms.Authentication authentication, byte[] password, byte[] blockCipherKey,
            byte[] authenticationKey, byte[] systemTitle, long invocationCounter, int maxPduSize) {
        InterfaceType interfaceType = framing == Framing.HDLC ? InterfaceType.HDLC : InterfaceType.WRAPPER;
        GXDLMSClient client;
        switch (authentication) {
            case NONE -> client = new Client(clientAddress, serverAddress, Authentication.NONE, interfaceType);
            case LOW -> {
                client = new Client(clientAddress, serverAddress, Authentication.LOW, interfaceType);
                client.setPassword(password);
            }
            case HIGH_GMAC -> {
                GXDLMSSecureClient secure = new SecureClient(clientAddress, serverAddress, Authentication.HIGH_GMAC,
                        interfaceType);
                secure.getCiphering().setSecurity(Security.AUTHENTICATION_ENCRYPTION);
                secure.getCiphering().setSystemTitle(systemTitle);
                secure.getCiphering().setBlockCipherKey(blockCipherKey);
                secure.getCiphering().setAuthenticationKey(authenticationKey);
                secure.getCiphering().setInvocationCounter(invocationCounter);
                client = secure;
            }
            default -> throw new IllegalArgumentException("unsupported authentication " + authentication);
        }
        client.setMaxReceivePDUSize(maxPduSize);
        // Gurux keeps its conformance sets as HashSets, a node per flag: ~500 bytes per client for the 11 proposed
        Set<Conformance> proposed = proposed(client.getProposedConformance());
        client.setProposedConformance(proposed.equals(PROPOSED) ? PROPOSED : proposed);
        dropUnused(client);
        return client;
    }

    /**
     * Gives up what Gurux makes for every client and a TCP association of ours never uses, ~250 bytes per meter:
     * the PLC settings (read only when framing PLC frames), the two date-time skip sets (only read, and empty unless
     * set, so one shared empty set serves every client), the list of ECDSA key pairs (used by HIGH_ECDSA only, which
     * we do not offer) and, without a password, the empty array Gurux makes of none.
     */
    private static void dropUnused(GXDLMSClient client) {
        GXDLMSSettings settings = ((Compactable) client).settings();
        settings.setPlc(null);
        settings.setDateTimeSkips(NO_SKIPS);
        settings.setDateTimeSkipsOnRead(NO_SKIPS);
        settings.setKeys(NO_KEYS);
        if (client.getPassword() != null && client.getPassword().length == 0) {
            client.setPassword(NO_PASSWORD);
        }
    }

    /**
     * Shrinks what the client keeps for the rest of the association, once the AARE (and HLS) are through: Gurux
     * parses the negotiated conformance into a new {@code HashSet}, a node per flag (~400 bytes for the eight a
     * meter typically grants); an {@link EnumSet} of the same flags takes 32. Gurux only reads the set afterwards,
     * and clears it in place before the next AARQ, which an EnumSet allows. A client not made by {@link #create} is
     * left as it is.
     */
    public static void compactAfterAssociation(GXDLMSClient client) {
        if (client instanceof Compactable c) {
            c.compactNegotiated();
        }
    }

    /** Gurux's proposed flags as an {@link EnumSet}, less general-block-transfer. */
    private static Set<Conformance> proposed(Set<Conformance> gurux) {
        EnumSet<Conformance> flags = EnumSet.noneOf(Conformance.class);
        flags.addAll(gurux);
        // Gurux proposes general-block-transfer by default; we never use it, and its blocks would carry replies past
        // the ReplyInspector (which therefore refuses it)
        flags.remove(Conformance.GENERAL_BLOCK_TRANSFER);
        return flags;
    }

    private static Set<Conformance> compact(Set<Conformance> flags) {
        if (flags instanceof EnumSet) {
            return flags;
        }
        EnumSet<Conformance> set = EnumSet.noneOf(Conformance.class);
        set.addAll(flags);
        return set;
    }

    private static void compactNegotiated(GXDLMSSettings settings) {
        settings.setNegotiatedConformance(compact(settings.getNegotiatedConformance()));
    }

    /** Gurux's clients keep their settings protected: these two give {@link #compactAfterAssociation} and {@link #dropUnused} a way in. */
    private interface Compactable {
        void compactNegotiated();

        GXDLMSSettings settings();
    }

    private static final class Client extends GXDLMSClient implements Compactable {
        Client(int clientAddress, int serverAddress, Authentication authentication, InterfaceType interfaceType) {
            super(true, clientAddress, serverAddress, authentication, null, interfaceType);
        }

        @Override
        public void compactNegotiated() {
            GuruxClients.compactNegotiated(getSettings());
        }

        @Override
        public GXDLMSSettings settings() {
            return getSettings();
        }
    }

    private static final class SecureClient extends GXDLMSSecureClient implements Compactable {
        SecureClient(int clientAddress, int serverAddress, Authentication authentication,
                InterfaceType interfaceType) {
            super(true, clientAddress, serverAddress, authentication, null, interfaceType);
        }

        @Override
        public void compactNegotiated() {
            GuruxClients.compactNegotiated(getSettings());
        }

        @Override
        public GXDLMSSettings settings() {
            return getSettings();
        }
    }

    /** The server address Gurux expects for this framing: the wPort, or HDLC upper (logical) and lower (physical). */
    public static int serverAddress(Framing framing, int logicalAddress, int physicalAddress) {
        return framing == Framing.HDLC ? GXDLMSClient.getServerAddress(logicalAddress, physicalAddress)
                : logicalAddress;
    }
}
