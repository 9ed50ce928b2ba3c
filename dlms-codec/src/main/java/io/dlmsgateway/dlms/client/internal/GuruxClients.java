package io.dlmsgateway.dlms.client.internal;

import gurux.dlms.GXDLMSClient;
import gurux.dlms.enums.Authentication;
import gurux.dlms.enums.InterfaceType;
import gurux.dlms.enums.Security;
import gurux.dlms.secure.GXDLMSSecureClient;
import io.dlmsgateway.dlms.Framing;

/** Builds the Gurux client of one association from our settings; Gurux is used for bytes only, never for I/O. */
public final class GuruxClients {

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
            case NONE -> client = new GXDLMSClient(true, clientAddress, serverAddress, Authentication.NONE, null,
                    interfaceType);
            case LOW -> {
                client = new GXDLMSClient(true, clientAddress, serverAddress, Authentication.LOW, null,
                        interfaceType);
                client.setPassword(password);
            }
            case HIGH_GMAC -> {
                GXDLMSSecureClient secure = new GXDLMSSecureClient(true, clientAddress, serverAddress,
                        Authentication.HIGH_GMAC, null, interfaceType);
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
        return client;
    }

    /** The server address Gurux expects for this framing: the wPort, or HDLC upper (logical) and lower (physical). */
    public static int serverAddress(Framing framing, int logicalAddress, int physicalAddress) {
        return framing == Framing.HDLC ? GXDLMSClient.getServerAddress(logicalAddress, physicalAddress)
                : logicalAddress;
    }
}
