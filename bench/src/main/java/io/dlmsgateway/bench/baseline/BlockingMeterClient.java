package io.dlmsgateway.bench.baseline;

import gurux.dlms.GXByteBuffer;
import gurux.dlms.GXDLMSClient;
import gurux.dlms.GXReplyData;
import gurux.dlms.GXSimpleEntry;
import gurux.dlms.enums.Authentication;
import gurux.dlms.enums.Conformance;
import gurux.dlms.enums.ErrorCode;
import gurux.dlms.enums.InterfaceType;
import gurux.dlms.objects.GXDLMSObject;
import gurux.dlms.objects.GXDLMSRegister;
import io.dlmsgateway.dlms.Framing;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The canonical blocking DLMS client: one {@link Socket}, one thread, Gurux building and parsing every message,
 * in the order of Gurux's own example reader ({@code GXDLMSReader}): SNRM/UA on HDLC, AARQ/AARE, the registers'
 * scaler_unit once, then reads. Frames are taken off the blocking stream by their header (WRAPPER length, HDLC
 * format field) and handed to {@link GXDLMSClient#getData(GXByteBuffer, GXReplyData, GXReplyData)}.
 *
 * <p>Reads use GET-with-list when the meter negotiated MULTIPLE_REFERENCES, as {@code GXDLMSReader} does for the
 * scalers and as the gateway's client does for everything; otherwise one GET per attribute. Not thread-safe: one
 * thread owns a client.
 */
public final class BlockingMeterClient implements AutoCloseable {

    private static final int WRAPPER_HEADER = 8;
    private static final int HDLC_FLAG = 0x7E;

    private final GXDLMSClient client;
    private final Framing framing;
    private final List<GXDLMSRegister> registers;
    private Socket socket;
    private DataInputStream in;
    private OutputStream out;
    private boolean getWithList;

    /**
     * @param serverAddress WRAPPER destination wPort, or the combined HDLC server address
     *                      ({@code GXDLMSClient.getServerAddress(logical, physical)})
     * @param obisCodes     the registers (class 3) to read, by logical name
     */
    public BlockingMeterClient(Framing framing, int clientAddress, int serverAddress, List<String> obisCodes) {
        this.framing = framing;
        this.client = new GXDLMSClient(true, clientAddress, serverAddress, Authentication.NONE, null,
                framing == Framing.HDLC ? InterfaceType.HDLC : InterfaceType.WRAPPER);
        this.registers = new ArrayList<>(obisCodes.size());
        for (String obis : obisCodes) {
            registers.add(new GXDLMSRegister(obis));
        }
    }

    /** Connects, associates and reads every register's scaler_unit. */
    public void connect(InetSocketAddress address, int connectTimeoutMillis, int readTimeoutMillis)
            throws Exception {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(address, connectTimeoutMillis);
        socket.setSoTimeout(readTimeoutMillis);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        if (framing == Framing.HDLC) {
            GXReplyData ua = exchange(client.snrmRequest());
            client.parseUAResponse(ua.getData());
        }
        GXReplyData aare = null;
        for (byte[] aarq : client.aarqRequest()) {
            aare = exchange(aarq);
        }
        client.parseAareResponse(aare.getData());
        getWithList = client.getNegotiatedConformance().contains(Conformance.MULTIPLE_REFERENCES);
        read(3);
    }

    /** True while the socket is open. */
    public boolean isConnected() {
        return socket != null && !socket.isClosed();
    }

    /** Whether reads go out as GET-with-list. */
    public boolean usesGetWithList() {
        return getWithList;
    }

    /** Reads every register's value (attribute 2); returns the scaled values in register order. */
    public List<Object> poll() throws Exception {
        read(2);
        List<Object> values = new ArrayList<>(registers.size());
        for (GXDLMSRegister r : registers) {
            values.add(r.getValue());
        }
        return values;
    }

    /** Reads one attribute of every register into Gurux's objects, which apply the scaler to values. */
    private void read(int attributeIndex) throws Exception {
        if (getWithList && registers.size() > 1) {
            List<Map.Entry<GXDLMSObject, Integer>> list = new ArrayList<>(registers.size());
            for (GXDLMSRegister r : registers) {
                list.add(new GXSimpleEntry<>(r, attributeIndex));
            }
            List<Object> values = new ArrayList<>(list.size());
            for (byte[] request : client.readList(list)) {
                GXReplyData reply = exchange(request);
                if (reply.getValue() instanceof List<?> items) {
                    values.addAll(items);
                }
            }
            if (values.size() != list.size()) {
                throw new IOException("GET-with-list returned " + values.size() + " of " + list.size() + " values");
            }
            client.updateValues(list, values);
        } else {
            for (GXDLMSRegister r : registers) {
                GXReplyData reply = null;
                for (byte[] request : client.read(r, attributeIndex)) {
                    reply = exchange(request);
                }
                client.updateValue(r, attributeIndex, reply.getValue());
            }
        }
    }

    /** Sends one request and receives its whole reply, asking for further blocks or segments while there are any. */
    private GXReplyData exchange(byte[] request) throws Exception {
        GXReplyData reply = new GXReplyData();
        GXReplyData notify = new GXReplyData();
        byte[] next = request;
        while (true) {
            out.write(next);
            out.flush();
            GXByteBuffer received = new GXByteBuffer();
            do {
                received.set(readFrame());
            } while (!client.getData(received, reply, notify));
            if (reply.getError() != 0) {
                throw new IOException("meter answered " + ErrorCode.forValue(reply.getError()));
            }
            if (!reply.isMoreData()) {
                return reply;
            }
            next = client.receiverReady(reply);
        }
    }

    /** One frame off the stream: a WRAPPER header and its APDU, or an HDLC frame from flag to flag. */
    private byte[] readFrame() throws IOException {
        if (framing == Framing.WRAPPER) {
            byte[] header = new byte[WRAPPER_HEADER];
            in.readFully(header);
            int length = ((header[6] & 0xFF) << 8) | (header[7] & 0xFF);
            byte[] frame = new byte[WRAPPER_HEADER + length];
            System.arraycopy(header, 0, frame, 0, WRAPPER_HEADER);
            in.readFully(frame, WRAPPER_HEADER, length);
            return frame;
        }
        int flag = in.readUnsignedByte();
        if (flag != HDLC_FLAG) {
            throw new IOException("HDLC frame does not start with 7E but " + Integer.toHexString(flag));
        }
        int format = in.readUnsignedByte();
        int low = in.readUnsignedByte();
        // the 11-bit length excludes both flags; format and low length are already read
        int length = ((format & 0x07) << 8) | low;
        byte[] frame = new byte[length + 2];
        frame[0] = (byte) HDLC_FLAG;
        frame[1] = (byte) format;
        frame[2] = (byte) low;
        in.readFully(frame, 3, length - 1);
        return frame;
    }

    /** Closes the socket without a release: what a poller does after a failure, and at the end of a benchmark. */
    @Override
    public void close() {
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing after a failure; nothing left to do
            }
        }
    }
}
