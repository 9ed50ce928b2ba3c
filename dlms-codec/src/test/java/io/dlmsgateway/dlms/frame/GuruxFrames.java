package io.dlmsgateway.dlms.frame;

import gurux.dlms.GXDLMSClient;
import gurux.dlms.enums.Authentication;
import gurux.dlms.enums.InterfaceType;
import gurux.dlms.objects.GXDLMSRegister;

import java.io.ByteArrayOutputStream;
import java.util.List;

/** Test vectors produced by Gurux itself, so the decoders are proven against the encoding real peers use. */
final class GuruxFrames {

    private GuruxFrames() {
    }

    /** Public client 16 to logical device 1, no authentication. */
    static GXDLMSClient client(InterfaceType interfaceType) {
        return new GXDLMSClient(true, 16, 1, Authentication.NONE, null, interfaceType);
    }

    static byte[] hdlcSnrm() throws Exception {
        return client(InterfaceType.HDLC).snrmRequest();
    }

    static byte[] hdlcAarq() throws Exception {
        return single(client(InterfaceType.HDLC).aarqRequest());
    }

    static byte[] hdlcReadEnergy() throws Exception {
        return single(client(InterfaceType.HDLC).read(new GXDLMSRegister("1.0.1.8.0.255"), 2));
    }

    /**
     * An AARQ with LOW authentication to a server with a physical address (2-byte HDLC address) and a 32-byte
     * maximum information field, which Gurux splits into a segmented frame (format 0xA8) and a last one (0xA0).
     */
    static List<byte[]> hdlcSegmentedAarq() throws Exception {
        GXDLMSClient client = new GXDLMSClient(true, 1, GXDLMSClient.getServerAddress(1, 0x11),
                Authentication.LOW, "12345678", InterfaceType.HDLC);
        client.getHdlcSettings().setMaxInfoTX(32);
        return List.of(client.aarqRequest());
    }

    static byte[] wrapperAarq() throws Exception {
        return single(client(InterfaceType.WRAPPER).aarqRequest());
    }

    static byte[] wrapperReadEnergy() throws Exception {
        return single(client(InterfaceType.WRAPPER).read(new GXDLMSRegister("1.0.1.8.0.255"), 2));
    }

    private static byte[] single(byte[][] frames) {
        if (frames.length != 1) {
            throw new IllegalStateException("expected one frame, Gurux made " + frames.length);
        }
        return frames[0];
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
