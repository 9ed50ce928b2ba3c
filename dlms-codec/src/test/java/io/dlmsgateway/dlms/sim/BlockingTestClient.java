package io.dlmsgateway.dlms.sim;

import gurux.dlms.GXByteBuffer;
import gurux.dlms.GXReplyData;
import gurux.dlms.enums.Authentication;
import gurux.dlms.enums.DataType;
import gurux.dlms.enums.InterfaceType;
import gurux.dlms.enums.ObjectType;
import gurux.dlms.enums.Security;
import gurux.dlms.objects.GXDLMSObject;
import gurux.dlms.objects.GXDLMSObjectCollection;
import gurux.dlms.secure.GXDLMSSecureClient;
import io.dlmsgateway.dlms.Framing;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A deliberately simple, blocking DLMS client for tests only: Gurux builds and parses the bytes, a plain socket
 * carries them. The production client is non-blocking and lives elsewhere.
 */
final class BlockingTestClient implements AutoCloseable {

    final GXDLMSSecureClient gurux;
    private final Framing framing;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    int requestsSent;
    /**
     * The simulated meters refuse an invocation counter they have seen (replay protection), across connections: each
     * HIGH_GMAC test client starts far above every earlier one of this JVM.
     */
    private static final java.util.concurrent.atomic.AtomicLong NEXT_COUNTER = new java.util.concurrent.atomic.AtomicLong(1);
    private static final long COUNTERS_PER_CLIENT = 1_000_000;

    BlockingTestClient(InetSocketAddress address, MeterAddressing addressing, int meterIndex,
            io.dlmsgateway.dlms.Authentication auth, int timeoutMillis) throws IOException {
        this.framing = addressing.framing();
        Authentication a = switch (auth) {
            case NONE -> Authentication.NONE;
            case LOW -> Authentication.LOW;
            case HIGH_GMAC -> Authentication.HIGH_GMAC;
        };
        gurux = new GXDLMSSecureClient(true, addressing.clientAddress(auth), addressing.serverAddress(meterIndex), a,
                auth == io.dlmsgateway.dlms.Authentication.LOW ? addressing.password() : null,
                framing == Framing.HDLC ? InterfaceType.HDLC : InterfaceType.WRAPPER);
        if (auth == io.dlmsgateway.dlms.Authentication.HIGH_GMAC) {
            gurux.getCiphering().setSecurity(Security.AUTHENTICATION_ENCRYPTION);
            gurux.getCiphering().setSystemTitle("TSTCLI01".getBytes(StandardCharsets.US_ASCII));
            gurux.getCiphering().setBlockCipherKey(addressing.blockCipherKey());
            gurux.getCiphering().setAuthenticationKey(addressing.authenticationKey());
            gurux.getCiphering().setInvocationCounter(NEXT_COUNTER.getAndAdd(COUNTERS_PER_CLIENT));
        }
        socket = new Socket();
        socket.connect(address, timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** SNRM/UA (HDLC), AARQ/AARE and, for HIGH_GMAC, the HLS challenge step. */
    BlockingTestClient associate() throws Exception {
        GXReplyData reply = new GXReplyData();
        if (framing == Framing.HDLC) {
            readDataBlock(gurux.snrmRequest(), reply);
            gurux.parseUAResponse(reply.getData());
            reply.clear();
        }
        for (byte[] frame : gurux.aarqRequest()) {
            reply.clear();
            readDataBlock(frame, reply);
        }
        gurux.parseAareResponse(reply.getData());
        if (gurux.getAuthentication().getValue() > Authentication.LOW.getValue()) {
            for (byte[] frame : gurux.getApplicationAssociationRequest()) {
                reply.clear();
                readDataBlock(frame, reply);
            }
            gurux.parseApplicationAssociationResponse(reply.getData());
        }
        return this;
    }

    /** Reads one attribute and lets Gurux store it into the object; returns the raw value. */
    Object read(GXDLMSObject object, int attribute) throws Exception {
        GXReplyData reply = new GXReplyData();
        readDataBlock(gurux.read(object, attribute), reply);
        Object value = reply.getValue();
        gurux.updateValue(object, attribute, value);
        return value;
    }

    /** Reads one attribute and returns its value as Gurux parsed it off the wire, without storing it. */
    Object read(GXDLMSObject object, int attribute, boolean raw) throws Exception {
        if (!raw) {
            return read(object, attribute);
        }
        GXReplyData reply = new GXReplyData();
        readDataBlock(gurux.read(object, attribute), reply);
        return reply.getValue();
    }

    /** Writes an octet-string to an attribute, as sent (a date-time's 12 octets). */
    void writeRaw(GXDLMSObject object, int attribute, byte[] octets) throws Exception {
        readDataBlock(gurux.write(object.getName(), octets, DataType.OCTET_STRING, object.getObjectType(),
                attribute), new GXReplyData());
    }

    /** Invokes a method with a long (int32) parameter, e.g. the clock's shift_time. */
    void actionLong(GXDLMSObject object, int method, int value) throws Exception {
        readDataBlock(gurux.method(object, method, value, DataType.INT32), new GXReplyData());
    }

    void write(GXDLMSObject object, int attribute) throws Exception {
        readDataBlock(gurux.write(object, attribute), new GXReplyData());
    }

    void action(GXDLMSObject object, int method) throws Exception {
        readDataBlock(gurux.method(object, method, 0, DataType.INT8), new GXReplyData());
    }

    /** Reads several attributes with get-with-list. */
    void readList(List<Map.Entry<GXDLMSObject, Integer>> items) throws Exception {
        GXReplyData reply = new GXReplyData();
        List<Object> values = new java.util.ArrayList<>();
        for (byte[] frame : gurux.readList(items)) {
            reply.clear();
            readDataBlock(frame, reply);
            if (reply.getValue() instanceof List<?> l) {
                values.addAll(l);
            }
        }
        gurux.updateValues(items, values);
    }

    GXDLMSObjectCollection readObjectList() throws Exception {
        GXReplyData reply = new GXReplyData();
        readDataBlock(gurux.read("0.0.40.0.0.255", ObjectType.ASSOCIATION_LOGICAL_NAME, 2), reply);
        return gurux.parseObjects(reply.getData(), true);
    }

    void release() throws Exception {
        GXReplyData reply = new GXReplyData();
        if (framing == Framing.WRAPPER) {
            for (byte[] frame : gurux.releaseRequest()) {
                reply.clear();
                readDataBlock(frame, reply);
            }
        } else {
            readDataBlock(gurux.disconnectRequest(), reply);
        }
    }

    private void readDataBlock(byte[][] frames, GXReplyData reply) throws Exception {
        for (byte[] frame : frames) {
            reply.clear();
            readDataBlock(frame, reply);
        }
    }

    private void readDataBlock(byte[] frame, GXReplyData reply) throws Exception {
        exchange(frame, reply);
        while (reply.isMoreData()) {
            exchange(gurux.receiverReady(reply), reply);
        }
    }

    private void exchange(byte[] frame, GXReplyData reply) throws Exception {
        out.write(frame);
        out.flush();
        requestsSent++;
        GXByteBuffer received = new GXByteBuffer();
        GXReplyData notify = new GXReplyData();
        byte[] buf = new byte[4096];
        do {
            int n = in.read(buf);
            if (n < 0) {
                throw new EOFException("meter closed the connection");
            }
            received.set(buf, 0, n);
        } while (!gurux.getData(received, reply, notify));
        // Gurux throws for a failed GET but only records a failed SET or ACTION
        if (reply.getError() != 0) {
            throw new gurux.dlms.GXDLMSException(reply.getError());
        }
    }

    boolean closedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

}
