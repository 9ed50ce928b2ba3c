package io.dlmsgateway.dlms.client.internal;

import gurux.dlms.GXByteBuffer;
import gurux.dlms.GXDLMSClient;
import gurux.dlms.enums.ObjectType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Requests Gurux 4.0.47 builds but does not offer: a GET with any access-selection. Its public builders offer
 * selective access only for a Profile Generic's range and entry selectors, on its own row types; the general form
 * (any selector, any parameters) is its private {@code read(name, type, attribute, data, mode)}, which those use. That
 * one is called here, so the request still gets Gurux's invoke id, HDLC framing and ciphering. Pinned to the Gurux
 * version the build uses; {@code DlmsConnectionOperationsTest} proves the bytes on the wire.
 */
public final class GuruxRequests {

    private static final Method READ = readMethod();

    private GuruxRequests() {
    }

    private static Method readMethod() {
        try {
            Method m = GXDLMSClient.class.getDeclaredMethod("read", Object.class, ObjectType.class, int.class,
                    GXByteBuffer.class, int.class);
            m.setAccessible(true);
            return m;
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError("Gurux's GXDLMSClient has no read(Object, ObjectType, int, "
                    + "GXByteBuffer, int); this build pins the version it was written for: " + e);
        }
    }

    /**
     * A GET-Request-Normal with access-selection: {@code selection} is the selector octet followed by its
     * parameters' A-XDR, exactly as they go after the descriptor's access-selection flag.
     */
    public static byte[][] readWithSelection(GXDLMSClient client, String logicalName, ObjectType type, int attribute,
            byte[] selection) throws Exception {
        try {
            return (byte[][]) READ.invoke(client, logicalName, type, attribute, new GXByteBuffer(selection), 0);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
