package io.dlmsgateway.dlms.interop;

import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.ObisCode;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A minimal DLMS/COSEM client written by hand from IEC 62056-46 (HDLC), IEC 62056-47 (TCP wrapper) and the Green Book
 * (IEC 62056-5-3 application layer), with no Gurux code at all, so that the gateway's simulated meters can be checked
 * against an implementation that does not share Gurux's interpretation of the standard.
 *
 * <p>Test peer only: blocking {@link Socket}, one association, one request outstanding. It is strict where the
 * standard is precise (addresses, sequence numbers, HCS/FCS, LLC, invoke ids, lengths) and collects softer
 * observations in {@link #notes()}. Every frame sent and received is kept in {@link #trace()}.
 */
final class IndependentDlmsClient implements Closeable {

    /** Default proposed conformance: get, block-transfer-with-get, multiple-references, selective-access. */
    static final int DEFAULT_CONFORMANCE = Apdu.CONF_GET | Apdu.CONF_BLOCK_TRANSFER_WITH_GET
            | Apdu.CONF_MULTIPLE_REFERENCES | Apdu.CONF_SELECTIVE_ACCESS;

    /** Connection and association settings. */
    record Settings(Framing framing, String host, int port, int clientAddress, int serverLogical, int serverPhysical,
            Duration timeout, int proposedConformance, int maxReceivePduSize, int hdlcMaxInfoReceive,
            Apdu.ReleaseForm releaseForm) {

        Settings {
            Objects.requireNonNull(framing, "framing");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(releaseForm, "releaseForm");
        }

        /** Public client 16 to logical device 1 over the TCP wrapper (wPorts 16 -> 1). */
        static Settings wrapper(String host, int port) {
            return new Settings(Framing.WRAPPER, host, port, 16, 1, -1, Duration.ofSeconds(3), DEFAULT_CONFORMANCE,
                    0xFFFF, -1, Apdu.ReleaseForm.REASON_NORMAL);
        }

        /** Public client 16 to logical device 1 at the given physical address over HDLC. */
        static Settings hdlc(String host, int port, int physicalAddress) {
            return new Settings(Framing.HDLC, host, port, 16, 1, physicalAddress, Duration.ofSeconds(3),
                    DEFAULT_CONFORMANCE, 0xFFFF, -1, Apdu.ReleaseForm.REASON_NORMAL);
        }

        Settings withMaxReceivePduSize(int size) {
            return new Settings(framing, host, port, clientAddress, serverLogical, serverPhysical, timeout,
                    proposedConformance, size, hdlcMaxInfoReceive, releaseForm);
        }

        /** Proposes this maximum information field length (receive and transmit) in the SNRM. */
        Settings withHdlcMaxInfo(int size) {
            return new Settings(framing, host, port, clientAddress, serverLogical, serverPhysical, timeout,
                    proposedConformance, maxReceivePduSize, size, releaseForm);
        }

        Settings withReleaseForm(Apdu.ReleaseForm form) {
            return new Settings(framing, host, port, clientAddress, serverLogical, serverPhysical, timeout,
                    proposedConformance, maxReceivePduSize, hdlcMaxInfoReceive, form);
        }

        Settings withConformance(int conformance) {
            return new Settings(framing, host, port, clientAddress, serverLogical, serverPhysical, timeout,
                    conformance, maxReceivePduSize, hdlcMaxInfoReceive, releaseForm);
        }
    }

    /** A register reading: the raw value, its scaler_unit and the scaled engineering value. */
    record RegisterReading(DlmsData raw, int scaler, int unitCode, BigDecimal value) {
        String unit() {
            return unitText(unitCode);
        }

        @Override
        public String toString() {
            return value.toPlainString() + " " + unit() + " (raw " + raw + ", scaler " + scaler + ", unit "
                    + unitCode + ")";
        }
    }

    private final Settings settings;
    private final List<String> trace = Collections.synchronizedList(new ArrayList<>());
    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());
    private final List<String> observations = Collections.synchronizedList(new ArrayList<>());
    private Socket socket;
    private Link link;
    private Apdu.Aare aare;
    private int invokeId;

    IndependentDlmsClient(Settings settings) {
        this.settings = settings;
    }

    /** Frames sent ({@code ->}) and received ({@code <-}) in hex. */
    List<String> trace() {
        return List.copyOf(trace);
    }

    /** Non-fatal deviations from the standard noticed on the way. */
    List<String> notes() {
        return List.copyOf(notes);
    }

    /** Things worth knowing that the standard allows or leaves open (not deviations). */
    List<String> observations() {
        return List.copyOf(observations);
    }

    Apdu.Aare aare() {
        return aare;
    }

    /** Opens the TCP connection and, for HDLC, sets up the data link (SNRM/UA). Returns the HDLC parameters. */
    Hdlc.Parameters connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout((int) settings.timeout().toMillis());
        socket.connect(new InetSocketAddress(settings.host(), settings.port()), (int) settings.timeout().toMillis());
        if (settings.framing() == Framing.WRAPPER) {
            link = new WrapperLink(socket.getInputStream(), socket.getOutputStream());
            return null;
        }
        HdlcLink hdlc = new HdlcLink(socket.getInputStream(), socket.getOutputStream());
        link = hdlc;
        return hdlc.snrm();
    }

    /** Sends the AARQ and checks the AARE; throws unless the association was accepted. */
    Apdu.Aare associate() throws IOException {
        byte[] response = link.exchange(Apdu.aarq(settings.proposedConformance(), settings.maxReceivePduSize()));
        Apdu.Aare parsed = Apdu.parseAare(response);
        if (!parsed.accepted()) {
            throw new DlmsProtocolException("association rejected: " + parsed + ": " + Hex.of(response));
        }
        if (!"2.16.756.5.8.1.1".equals(parsed.applicationContextName())) {
            throw new DlmsProtocolException("AARE names application context " + parsed.applicationContextName()
                    + ", the AARQ proposed 2.16.756.5.8.1.1: " + Hex.of(response));
        }
        if (parsed.diagnosticSource() != 1 || parsed.diagnostic() != 0) {
            notes.add("accepted AARE with result-source-diagnostic source " + parsed.diagnosticSource() + " value "
                    + parsed.diagnostic() + " (expected acse-service-user null)");
        }
        Apdu.InitiateResponse ir = parsed.initiateResponse();
        if (ir == null) {
            throw new DlmsProtocolException("accepted AARE has no InitiateResponse: " + Hex.of(response));
        }
        if (ir.dlmsVersion() != 6) {
            throw new DlmsProtocolException("negotiated DLMS version " + ir.dlmsVersion() + ", expected 6");
        }
        if (ir.vaaName() != Apdu.VAA_NAME_LN) {
            throw new DlmsProtocolException(String.format("vaa-name %04X, expected 0007 for LN referencing",
                    ir.vaaName()));
        }
        int extra = ir.conformance() & ~settings.proposedConformance();
        if (extra != 0) {
            notes.add("server granted conformance it was not offered: " + Apdu.conformanceToString(extra)
                    + String.format(" (proposed %06X, negotiated %06X)", settings.proposedConformance(),
                    ir.conformance()));
        }
        if ((ir.conformance() & Apdu.CONF_GET) == 0) {
            throw new DlmsProtocolException("server did not grant the get service: " + ir);
        }
        aare = parsed;
        return parsed;
    }

    private int nextInvokeIdAndPriority() {
        invokeId = (invokeId + 1) & 0x0F;
        return 0xC0 | invokeId; // high priority, confirmed
    }

    private void checkInvokeId(int sent, int received, byte[] apdu) {
        if ((sent & 0x0F) != (received & 0x0F)) {
            throw new DlmsProtocolException(String.format("response invoke-id %d does not match request %d: %s",
                    received & 0x0F, sent & 0x0F, Hex.of(apdu)));
        }
        if (sent != received) {
            notes.add(String.format("invoke-id-and-priority echoed as %02X for request %02X", received, sent));
        }
    }

    /** GET of one attribute, following GET-Response-With-Datablock with GET-Request-Next. */
    Apdu.GetResult get(int classId, ObisCode obis, int attributeId) throws IOException {
        int iip = nextInvokeIdAndPriority();
        return get(iip, Apdu.getRequestNormal(iip, new Apdu.AttributeDescriptor(classId, obis.toBytes(),
                attributeId)));
    }

    /** GET of one attribute with selective access (selector and its A-XDR parameters), blocks followed. */
    Apdu.GetResult get(int classId, ObisCode obis, int attributeId, int selector, byte[] parameters)
            throws IOException {
        int iip = nextInvokeIdAndPriority();
        return get(iip, Apdu.getRequestNormal(iip, new Apdu.AttributeDescriptor(classId, obis.toBytes(),
                attributeId), selector, parameters));
    }

    private Apdu.GetResult get(int iip, byte[] request) throws IOException {
        byte[] response = link.exchange(request);
        Apdu.GetResponse parsed = Apdu.parseGetResponse(response);
        checkInvokeId(iip, parsed.invokeIdAndPriority(), response);
        if (parsed instanceof Apdu.GetResponseNormal normal) {
            return normal.result();
        }
        if (parsed instanceof Apdu.GetResponseWithDatablock block) {
            byte[] raw = collectBlocks(iip, block, response);
            if (raw == null) {
                return Apdu.GetResult.ofError(lastBlockError);
            }
            return Apdu.GetResult.ofData(Axdr.decodeData(raw));
        }
        throw new DlmsProtocolException("GET-Request-Normal answered with " + parsed + ": " + Hex.of(response));
    }

    /** GET of several attributes in one GET-Request-With-List (needs multiple-references). */
    List<Apdu.GetResult> getWithList(List<Apdu.AttributeDescriptor> attributes) throws IOException {
        int iip = nextInvokeIdAndPriority();
        byte[] response = link.exchange(Apdu.getRequestWithList(iip, attributes));
        Apdu.GetResponse parsed = Apdu.parseGetResponse(response);
        checkInvokeId(iip, parsed.invokeIdAndPriority(), response);
        List<Apdu.GetResult> results;
        if (parsed instanceof Apdu.GetResponseWithList list) {
            results = list.results();
        } else if (parsed instanceof Apdu.GetResponseWithDatablock block) {
            byte[] raw = collectBlocks(iip, block, response);
            if (raw == null) {
                throw new DlmsProtocolException("block transfer of GET-Response-With-List aborted with "
                        + "data-access-result " + lastBlockError);
            }
            Axdr.Reader r = new Axdr.Reader(raw);
            results = Apdu.readGetDataResults(r);
            r.expectEnd("Get-Data-Result list");
        } else {
            throw new DlmsProtocolException("GET-Request-With-List answered with " + parsed + ": "
                    + Hex.of(response));
        }
        if (results.size() != attributes.size()) {
            throw new DlmsProtocolException("GET-Request-With-List for " + attributes.size() + " attributes answered "
                    + "with " + results.size() + " results: " + Hex.of(response));
        }
        return results;
    }

    private int lastBlockError;
    private int blocksReceived;

    /** Number of DataBlock-G blocks received so far over the association. */
    int blocksReceived() {
        return blocksReceived;
    }

    private byte[] collectBlocks(int iip, Apdu.GetResponseWithDatablock first, byte[] firstApdu) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        Apdu.GetResponseWithDatablock block = first;
        byte[] apdu = firstApdu;
        long expected = 1;
        while (true) {
            blocksReceived++;
            if (block.blockNumber() != expected) {
                throw new DlmsProtocolException("DataBlock-G block-number " + block.blockNumber() + ", expected "
                        + expected + ": " + Hex.of(apdu));
            }
            if (block.rawData() == null) {
                lastBlockError = block.dataAccessResult();
                return null;
            }
            raw.writeBytes(block.rawData());
            if (block.lastBlock()) {
                return raw.toByteArray();
            }
            apdu = link.exchange(Apdu.getRequestNext(iip, block.blockNumber()));
            Apdu.GetResponse next = Apdu.parseGetResponse(apdu);
            checkInvokeId(iip, next.invokeIdAndPriority(), apdu);
            if (!(next instanceof Apdu.GetResponseWithDatablock nextBlock)) {
                throw new DlmsProtocolException("GET-Request-Next answered with " + next + ": " + Hex.of(apdu));
            }
            block = nextBlock;
            expected++;
        }
    }

    /** Reads a register's scaler_unit (attribute 3) and value (attribute 2) and scales the value. */
    RegisterReading readRegister(ObisCode obis) throws IOException {
        Apdu.GetResult scalerUnit = get(3, obis, 3);
        if (!scalerUnit.ok()) {
            throw new DataAccessException(obis + " attribute 3 (scaler_unit)", scalerUnit.dataAccessResult());
        }
        Apdu.GetResult value = get(3, obis, 2);
        if (!value.ok()) {
            throw new DataAccessException(obis + " attribute 2 (value)", value.dataAccessResult());
        }
        return scale(obis, value.data(), scalerUnit.data());
    }

    /** Applies a scaler_unit {@code structure {integer scaler, enum unit}} to a numeric value. */
    static RegisterReading scale(ObisCode obis, DlmsData value, DlmsData scalerUnit) {
        if (scalerUnit.tag() != DlmsData.STRUCTURE || scalerUnit.elements().size() != 2
                || scalerUnit.elements().get(0).tag() != DlmsData.INTEGER
                || scalerUnit.elements().get(1).tag() != DlmsData.ENUM) {
            throw new DlmsProtocolException(obis + " scaler_unit is not structure{integer, enum}: " + scalerUnit);
        }
        if (!value.isNumeric() || value.tag() == DlmsData.ENUM) {
            throw new DlmsProtocolException(obis + " value is not numeric: " + value);
        }
        int scaler = (int) scalerUnit.elements().get(0).toLong();
        int unit = (int) scalerUnit.elements().get(1).toLong();
        return new RegisterReading(value, scaler, unit, value.toBigDecimal().scaleByPowerOfTen(scaler));
    }

    /** Prefix of the note recorded when the RLRE's BER does not parse but the APDU is recognisably an RLRE. */
    static final String MALFORMED_RLRE = "malformed RLRE, accepted tolerantly: ";

    /** Sends the release request and parses the RLRE. */
    Apdu.Rlre release() throws IOException {
        byte[] response = link.exchange(Apdu.rlrq(settings.releaseForm(), settings.proposedConformance(),
                settings.maxReceivePduSize()));
        Apdu.Rlre rlre;
        try {
            rlre = Apdu.parseRlre(response);
        } catch (DlmsProtocolException e) {
            rlre = Apdu.parseRlreTolerant(response);
            notes.add(MALFORMED_RLRE + e.getMessage());
        }
        if (rlre.reason() != null && rlre.reason() != 0) {
            notes.add("RLRE reason " + rlre.reason() + " (expected normal 0): " + Hex.of(response));
        }
        return rlre;
    }

    /** Sends any APDU through the established link and returns the response APDU (for probing edge cases). */
    byte[] exchangeRaw(byte[] apdu) throws IOException {
        return link.exchange(apdu);
    }

    /** Changes the socket read timeout, e.g. to probe for a server that must stay silent. */
    void readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    /**
     * HDLC only, before or instead of {@link #connect()}'s SNRM: opens the socket without any data-link setup and
     * sends a raw frame, returning the decoded answer (for probing disconnected-mode behaviour).
     */
    Hdlc.Frame hdlcRawExchange(byte[] frame) throws IOException {
        openRaw();
        HdlcLink hdlc = (HdlcLink) link;
        trace.add("-> " + Hex.of(frame));
        hdlc.out.write(frame);
        hdlc.out.flush();
        return hdlc.receive();
    }

    /** HDLC only: opens the socket without sending anything. */
    void openRaw() throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) settings.timeout().toMillis());
            socket.connect(new InetSocketAddress(settings.host(), settings.port()),
                    (int) settings.timeout().toMillis());
            link = new HdlcLink(socket.getInputStream(), socket.getOutputStream());
        }
    }

    /** For HDLC, disconnects the link (DISC, expecting UA or DM); returns the response control byte, or -1. */
    int disconnect() throws IOException {
        if (link instanceof HdlcLink hdlc) {
            return hdlc.disc();
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
        }
    }

    /** Text of a COSEM unit enumeration value (Blue Book, class 3 scaler_unit). */
    static String unitText(int code) {
        return switch (code) {
            case 1 -> "a";
            case 2 -> "mo";
            case 3 -> "wk";
            case 4 -> "d";
            case 5 -> "h";
            case 6 -> "min";
            case 7 -> "s";
            case 8 -> "°";
            case 9 -> "°C";
            case 10 -> "currency";
            case 11 -> "m";
            case 12 -> "m/s";
            case 13 -> "m³";
            case 19 -> "l";
            case 20 -> "kg";
            case 21 -> "N";
            case 22 -> "Nm";
            case 23 -> "Pa";
            case 24 -> "bar";
            case 25 -> "J";
            case 26 -> "J/h";
            case 27 -> "W";
            case 28 -> "VA";
            case 29 -> "var";
            case 30 -> "Wh";
            case 31 -> "VAh";
            case 32 -> "varh";
            case 33 -> "A";
            case 34 -> "C";
            case 35 -> "V";
            case 36 -> "V/m";
            case 37 -> "F";
            case 38 -> "Ω";
            case 44 -> "Hz";
            case 52 -> "K";
            case 56 -> "%";
            case 57 -> "Ah";
            case 254 -> "other";
            case 255 -> "";
            default -> "unit-" + code;
        };
    }

    /** A GET answered with a data-access-result other than success. */
    static final class DataAccessException extends DlmsProtocolException {
        private static final long serialVersionUID = 1L;
        final int dataAccessResult;

        DataAccessException(String what, int dar) {
            super(what + ": data-access-result " + dar + " (" + Apdu.dataAccessResultName(dar) + ")");
            this.dataAccessResult = dar;
        }
    }

    // ---- links -----------------------------------------------------------------------------------------------------

    /** Carries one APDU to the server and brings back its response. */
    private interface Link {
        byte[] exchange(byte[] apdu) throws IOException;
    }

    private static void readFully(InputStream in, byte[] b, int off, int len, String what) throws IOException {
        int done = 0;
        while (done < len) {
            int n = in.read(b, off + done, len - done);
            if (n < 0) {
                throw new EOFException("connection closed by the server while reading " + what + " (" + done + " of "
                        + len + " bytes" + (off + done > 0 ? ": " + Hex.of(b, 0, off + done) : "") + ")");
            }
            done += n;
        }
    }

    /** IEC 62056-47 wrapper: {@code version(2)=0001 source-wPort(2) destination-wPort(2) length(2) APDU}. */
    private final class WrapperLink implements Link {
        private final InputStream in;
        private final OutputStream out;

        WrapperLink(InputStream in, OutputStream out) {
            this.in = in;
            this.out = out;
        }

        @Override
        public byte[] exchange(byte[] apdu) throws IOException {
            byte[] frame = new byte[8 + apdu.length];
            frame[1] = 0x01;
            frame[2] = (byte) (settings.clientAddress() >> 8);
            frame[3] = (byte) settings.clientAddress();
            frame[4] = (byte) (settings.serverLogical() >> 8);
            frame[5] = (byte) settings.serverLogical();
            frame[6] = (byte) (apdu.length >> 8);
            frame[7] = (byte) apdu.length;
            System.arraycopy(apdu, 0, frame, 8, apdu.length);
            trace.add("-> " + Hex.of(frame));
            out.write(frame);
            out.flush();

            byte[] header = new byte[8];
            readFully(in, header, 0, 8, "wrapper header");
            int version = ((header[0] & 0xFF) << 8) | (header[1] & 0xFF);
            int src = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            int dst = ((header[4] & 0xFF) << 8) | (header[5] & 0xFF);
            int length = ((header[6] & 0xFF) << 8) | (header[7] & 0xFF);
            byte[] body = new byte[length];
            readFully(in, body, 0, length, "wrapper APDU");
            trace.add("<- " + Hex.of(header) + " " + Hex.of(body));
            if (version != 1) {
                throw new DlmsProtocolException("wrapper version " + version + ", expected 1: " + Hex.of(header));
            }
            if (src != settings.serverLogical() || dst != settings.clientAddress()) {
                throw new DlmsProtocolException("wrapper response from wPort " + src + " to wPort " + dst
                        + ", expected " + settings.serverLogical() + " -> " + settings.clientAddress() + ": "
                        + Hex.of(header));
            }
            if (length == 0) {
                throw new DlmsProtocolException("wrapper frame with an empty APDU: " + Hex.of(header));
            }
            return body;
        }
    }

    /** IEC 62056-46 HDLC in normal response mode, window size 1, client as primary station. */
    private final class HdlcLink implements Link {
        private final InputStream in;
        private final OutputStream out;
        private final byte[] clientAddress;
        private final byte[] serverAddress;
        private int vs;
        private int vr;
        private int maxInfoTransmit = Hdlc.DEFAULT_MAX_INFO;
        private int maxInfoReceive = Hdlc.DEFAULT_MAX_INFO;

        HdlcLink(InputStream in, OutputStream out) {
            this.in = new BufferedInputStream(in);
            this.out = out;
            this.clientAddress = Hdlc.clientAddress(settings.clientAddress());
            this.serverAddress = Hdlc.serverAddress(settings.serverLogical(), settings.serverPhysical());
        }

        private void send(int control, byte[] info, boolean segmented) throws IOException {
            byte[] frame = Hdlc.encode(serverAddress, clientAddress, control, info, segmented);
            trace.add("-> " + Hex.of(frame));
            out.write(frame);
            out.flush();
        }

        /** Reads one frame; skips opening flags, accepts a flag shared with the previous frame's closing flag. */
        private Hdlc.Frame receive() throws IOException {
            int b = in.read();
            while (b == Hdlc.FLAG) {
                b = in.read();
            }
            if (b < 0) {
                throw new EOFException("connection closed by the server while waiting for an HDLC frame");
            }
            if ((b & 0xF0) != 0xA0) {
                byte[] rest = new byte[Math.min(in.available(), 64)];
                int n = Math.max(in.read(rest), 0);
                throw new DlmsProtocolException(String.format("expected an HDLC frame format byte (Ax), got %02X "
                        + "followed by %s", b, Hex.of(rest, 0, n)));
            }
            int b2 = in.read();
            if (b2 < 0) {
                throw new EOFException("connection closed inside an HDLC frame header");
            }
            int length = ((b & 0x07) << 8) | b2;
            if (length < 7) {
                throw new DlmsProtocolException(String.format("HDLC frame length %d too small: %02X %02X", length, b,
                        b2));
            }
            byte[] body = new byte[length];
            body[0] = (byte) b;
            body[1] = (byte) b2;
            readFully(in, body, 2, length - 2, "HDLC frame");
            int closing = in.read();
            trace.add("<- 7E " + Hex.of(body) + (closing >= 0 ? String.format(" %02X", closing) : " <EOF>"));
            if (closing != Hdlc.FLAG) {
                throw new DlmsProtocolException(String.format("HDLC frame not followed by a closing flag (got %s): "
                        + "7E %s", closing < 0 ? "EOF" : String.format("%02X", closing), Hex.of(body)));
            }
            Hdlc.Frame frame = Hdlc.decode(body);
            if (!Arrays.equals(frame.dest(), clientAddress) || !Arrays.equals(frame.src(), serverAddress)) {
                throw new DlmsProtocolException("HDLC frame addressed from " + Hex.of(frame.src()) + " to "
                        + Hex.of(frame.dest()) + ", expected from " + Hex.of(serverAddress) + " to "
                        + Hex.of(clientAddress) + ": 7E " + Hex.of(body) + " 7E");
            }
            if (frame.control() == Hdlc.FRMR) {
                throw new DlmsProtocolException("server rejected a frame (FRMR): 7E " + Hex.of(body) + " 7E");
            }
            if (frame.info().length > maxInfoReceive) {
                throw new DlmsProtocolException("HDLC information field of " + frame.info().length + " bytes exceeds "
                        + "the negotiated maximum " + maxInfoReceive + ": 7E " + Hex.of(body) + " 7E");
            }
            return frame;
        }

        Hdlc.Parameters snrm() throws IOException {
            byte[] info = null;
            if (settings.hdlcMaxInfoReceive() > 0) {
                int m = settings.hdlcMaxInfoReceive();
                info = new byte[] {(byte) 0x81, (byte) 0x80, 0x12,
                    0x05, 0x01, (byte) m, // max info field length transmit
                    0x06, 0x01, (byte) m, // max info field length receive
                    0x07, 0x04, 0x00, 0x00, 0x00, 0x01, // window size transmit
                    0x08, 0x04, 0x00, 0x00, 0x00, 0x01}; // window size receive
                if (m > 0xFF) {
                    throw new IllegalArgumentException("this client proposes max info lengths up to 255 only");
                }
            }
            send(Hdlc.SNRM, info, false);
            Hdlc.Frame ua = receive();
            if (ua.control() == Hdlc.DM) {
                throw new DlmsProtocolException("server answered SNRM with DM (disconnected mode)");
            }
            if (ua.control() != Hdlc.UA) {
                throw new DlmsProtocolException(String.format("server answered SNRM with control %02X, expected UA "
                        + "(73): %s", ua.control(), ua));
            }
            Hdlc.Parameters p = Hdlc.Parameters.parse(ua.info());
            // the UA states the server's view: its transmit limit is our receive limit and vice versa
            maxInfoReceive = p.maxInfoTransmit();
            maxInfoTransmit = p.maxInfoReceive();
            if (settings.hdlcMaxInfoReceive() > 0 && maxInfoReceive > settings.hdlcMaxInfoReceive()) {
                throw new DlmsProtocolException("UA grants the server a transmit information length of "
                        + maxInfoReceive + " above the " + settings.hdlcMaxInfoReceive() + " the client proposed: "
                        + ua);
            }
            if (p.windowTransmit() != 1 || p.windowReceive() != 1) {
                notes.add("UA negotiated window sizes " + p.windowTransmit() + "/" + p.windowReceive()
                        + "; this client uses 1");
            }
            vs = 0;
            vr = 0;
            return p;
        }

        @Override
        public byte[] exchange(byte[] apdu) throws IOException {
            byte[] info = Hdlc.concat(Hdlc.LLC_REQUEST, apdu);
            for (int off = 0; off < info.length; off += maxInfoTransmit) {
                int n = Math.min(maxInfoTransmit, info.length - off);
                boolean more = off + n < info.length;
                send(Hdlc.iControl(vs, vr, true), Arrays.copyOfRange(info, off, off + n), more);
                vs = (vs + 1) & 7;
                if (more) {
                    Hdlc.Frame ack = receive();
                    if (!Hdlc.isRr(ack.control()) || Hdlc.nr(ack.control()) != vs) {
                        throw new DlmsProtocolException(String.format("expected RR with N(R)=%d after a request "
                                + "segment, got control %02X: %s", vs, ack.control(), ack));
                    }
                }
            }
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            while (true) {
                Hdlc.Frame f = receive();
                if (!Hdlc.isIFrame(f.control())) {
                    throw new DlmsProtocolException(String.format("expected an I-frame in response, got control "
                            + "%02X: %s", f.control(), f));
                }
                if (Hdlc.ns(f.control()) != vr) {
                    throw new DlmsProtocolException(String.format("I-frame N(S)=%d, expected V(R)=%d: %s",
                            Hdlc.ns(f.control()), vr, f));
                }
                if (Hdlc.nr(f.control()) != vs) {
                    throw new DlmsProtocolException(String.format("I-frame N(R)=%d does not acknowledge our "
                            + "V(S)=%d: %s", Hdlc.nr(f.control()), vs, f));
                }
                if ((f.control() & Hdlc.PF) == 0) {
                    notes.add(String.format("I-frame answering a poll has the final bit clear: control %02X",
                            f.control()));
                }
                vr = (vr + 1) & 7;
                response.writeBytes(f.info());
                if (!f.segmented()) {
                    break;
                }
                send(Hdlc.rrControl(vr), null, false);
            }
            byte[] all = response.toByteArray();
            if (all.length < 3 || !Arrays.equals(Arrays.copyOf(all, 3), Hdlc.LLC_RESPONSE)) {
                throw new DlmsProtocolException("response information field does not start with the LLC header "
                        + "E6 E7 00: " + Hex.of(all));
            }
            return Arrays.copyOfRange(all, 3, all.length);
        }

        int disc() throws IOException {
            send(Hdlc.DISC, null, false);
            Hdlc.Frame f = receive();
            if (f.control() != Hdlc.UA && f.control() != Hdlc.DM) {
                throw new DlmsProtocolException(String.format("server answered DISC with control %02X, expected UA "
                        + "(73) or DM (1F): %s", f.control(), f));
            }
            if (f.hasInfo()) {
                observations.add("UA/DM answering DISC carries an information field: " + Hex.of(f.info()));
            }
            return f.control();
        }
    }
}
