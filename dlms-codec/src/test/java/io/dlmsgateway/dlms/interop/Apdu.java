package io.dlmsgateway.dlms.interop;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;

/**
 * Encoders and decoders of the DLMS/COSEM APDUs the independent client uses, written from the Green Book (DLMS UA
 * 1000-2) / IEC 62056-5-3: AARQ/AARE and RLRQ/RLRE (ACSE, BER), xDLMS InitiateRequest/InitiateResponse (A-XDR),
 * GET-Request/GET-Response (normal, next, with-list), Exception-Response and ConfirmedServiceError.
 */
final class Apdu {

    private Apdu() {
    }

    // ---- APDU tags -------------------------------------------------------------------------------------------------

    static final int AARQ = 0x60;
    static final int AARE = 0x61;
    static final int RLRQ = 0x62;
    static final int RLRE = 0x63;
    static final int INITIATE_REQUEST = 0x01;
    static final int INITIATE_RESPONSE = 0x08;
    static final int CONFIRMED_SERVICE_ERROR = 0x0E;
    static final int GET_REQUEST = 0xC0;
    static final int GET_RESPONSE = 0xC4;
    static final int EXCEPTION_RESPONSE = 0xD8;

    static final int GET_NORMAL = 1;
    static final int GET_NEXT = 2;
    static final int GET_WITH_LIST = 3;

    /** application-context-name Logical_Name_Referencing_No_Ciphering: {joint-iso-ccitt(2) country(16) country-name(756) identified-organization(5) DLMS-UA(8) application-context(1) context-id(1)}. */
    static final byte[] LN_NO_CIPHERING = Ber.oid(2, 16, 756, 5, 8, 1, 1);

    /** VAA name of LN referencing in the InitiateResponse. */
    static final int VAA_NAME_LN = 0x0007;

    // ---- conformance block (bit 0 = MSB of the first of three bytes) ---------------------------------------------

    static int conformanceBit(int bit) {
        return 1 << (23 - bit);
    }

    static final int CONF_GENERAL_PROTECTION = conformanceBit(1);
    static final int CONF_GENERAL_BLOCK_TRANSFER = conformanceBit(2);
    static final int CONF_ATTRIBUTE0_WITH_SET = conformanceBit(8);
    static final int CONF_PRIORITY_MGMT = conformanceBit(9);
    static final int CONF_ATTRIBUTE0_WITH_GET = conformanceBit(10);
    static final int CONF_BLOCK_TRANSFER_WITH_GET = conformanceBit(11);
    static final int CONF_BLOCK_TRANSFER_WITH_SET = conformanceBit(12);
    static final int CONF_BLOCK_TRANSFER_WITH_ACTION = conformanceBit(13);
    static final int CONF_MULTIPLE_REFERENCES = conformanceBit(14);
    static final int CONF_INFORMATION_REPORT = conformanceBit(15);
    static final int CONF_DATA_NOTIFICATION = conformanceBit(16);
    static final int CONF_ACCESS = conformanceBit(17);
    static final int CONF_PARAMETERIZED_ACCESS = conformanceBit(18);
    static final int CONF_GET = conformanceBit(19);
    static final int CONF_SET = conformanceBit(20);
    static final int CONF_SELECTIVE_ACCESS = conformanceBit(21);
    static final int CONF_EVENT_NOTIFICATION = conformanceBit(22);
    static final int CONF_ACTION = conformanceBit(23);

    private static final String[] CONFORMANCE_NAMES = {
        "reserved-zero", "general-protection", "general-block-transfer", "read", "write", "unconfirmed-write",
        "delta-value-encoding", "reserved-seven", "attribute0-supported-with-set", "priority-mgmt-supported",
        "attribute0-supported-with-get", "block-transfer-with-get-or-read", "block-transfer-with-set-or-write",
        "block-transfer-with-action", "multiple-references", "information-report", "data-notification", "access",
        "parameterized-access", "get", "set", "selective-access", "event-notification", "action"};

    static String conformanceToString(int conformance) {
        StringJoiner j = new StringJoiner(", ", "{", "}");
        for (int bit = 0; bit < 24; bit++) {
            if ((conformance & conformanceBit(bit)) != 0) {
                j.add(CONFORMANCE_NAMES[bit]);
            }
        }
        return j.toString();
    }

    /** Conformance [APPLICATION 31] IMPLICIT BIT STRING (SIZE(24)): {@code 5F 1F 04 00 b0 b1 b2}. */
    private static byte[] conformanceBer(int conformance) {
        return new byte[] {0x5F, 0x1F, 0x04, 0x00, (byte) (conformance >> 16), (byte) (conformance >> 8),
            (byte) conformance};
    }

    private static int readConformance(Axdr.Reader r) {
        int t1 = r.u8("conformance tag");
        int t2 = r.u8("conformance tag");
        int len = r.u8("conformance length");
        int unused = r.u8("conformance unused bits");
        if (t1 != 0x5F || t2 != 0x1F || len != 4 || unused != 0) {
            throw new DlmsProtocolException(String.format(
                    "conformance block is not 5F 1F 04 00 xx xx xx but %02X %02X %02X %02X: %s", t1, t2, len, unused,
                    Hex.of(r.buffer())));
        }
        return (r.u8("conformance") << 16) | (r.u8("conformance") << 8) | r.u8("conformance");
    }

    // ---- xDLMS InitiateRequest / InitiateResponse ------------------------------------------------------------------

    /**
     * xDLMS-Initiate.request, A-XDR: tag 01, dedicated-key absent (00), response-allowed default TRUE (00),
     * proposed-quality-of-service absent (00), proposed-dlms-version-number 6, proposed-conformance,
     * client-max-receive-pdu-size.
     */
    static byte[] initiateRequest(int conformance, int maxReceivePduSize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(INITIATE_REQUEST);
        out.write(0x00);
        out.write(0x00);
        out.write(0x00);
        out.write(6);
        out.writeBytes(conformanceBer(conformance));
        out.write(maxReceivePduSize >> 8);
        out.write(maxReceivePduSize);
        return out.toByteArray();
    }

    /** The negotiated xDLMS context. */
    record InitiateResponse(Integer qualityOfService, int dlmsVersion, int conformance, int serverMaxReceivePduSize,
            int vaaName) {
        @Override
        public String toString() {
            return "InitiateResponse[dlmsVersion=" + dlmsVersion + ", conformance=" + conformanceToString(conformance)
                    + String.format(" (%06X)", conformance) + ", serverMaxReceivePduSize=" + serverMaxReceivePduSize
                    + ", vaaName=" + String.format("%04X", vaaName) + "]";
        }
    }

    static InitiateResponse parseInitiateResponse(byte[] data) {
        Axdr.Reader r = new Axdr.Reader(data);
        int tag = r.u8("InitiateResponse tag");
        if (tag == CONFIRMED_SERVICE_ERROR) {
            throw new DlmsProtocolException("server answered the InitiateRequest with " + describeConfirmedServiceError(
                    data));
        }
        if (tag != INITIATE_RESPONSE) {
            throw new DlmsProtocolException(String.format("expected InitiateResponse (08), got tag %02X: %s", tag,
                    Hex.of(data)));
        }
        Integer qos = null;
        if (r.u8("negotiated-quality-of-service presence") != 0) {
            qos = (int) (byte) r.u8("negotiated-quality-of-service");
        }
        int version = r.u8("negotiated-dlms-version-number");
        int conformance = readConformance(r);
        int maxPdu = r.u16("server-max-receive-pdu-size");
        int vaa = r.u16("vaa-name");
        r.expectEnd("InitiateResponse");
        return new InitiateResponse(qos, version, conformance, maxPdu, vaa);
    }

    // ---- AARQ / AARE -----------------------------------------------------------------------------------------------

    /**
     * AARQ for the lowest security level: application-context-name [1] (LN, no ciphering) and user-information [30]
     * carrying the InitiateRequest in an OCTET STRING. protocol-version, AP titles, acse-requirements and
     * mechanism-name are omitted as the Green Book allows for authentication NONE.
     */
    static byte[] aarq(int conformance, int maxReceivePduSize) {
        byte[] contextName = Ber.tlv(0xA1, Ber.tlv(0x06, LN_NO_CIPHERING));
        byte[] userInfo = Ber.tlv(0xBE, Ber.tlv(0x04, initiateRequest(conformance, maxReceivePduSize)));
        return Ber.tlv(AARQ, Ber.concat(contextName, userInfo));
    }

    /** The parts of an AARE the client looks at. */
    record Aare(String applicationContextName, int result, int diagnosticSource, int diagnostic,
            InitiateResponse initiateResponse, byte[] userInformation, List<Ber.Tlv> fields) {

        boolean accepted() {
            return result == 0;
        }

        @Override
        public String toString() {
            return "AARE[context=" + applicationContextName + ", result=" + result + " ("
                    + associationResultName(result) + "), diagnostic=" + (diagnosticSource == 1 ? "acse-service-user "
                    : "acse-service-provider ") + diagnostic + ", " + initiateResponse + "]";
        }
    }

    static String associationResultName(int result) {
        return switch (result) {
            case 0 -> "accepted";
            case 1 -> "rejected-permanent";
            case 2 -> "rejected-transient";
            default -> "unknown";
        };
    }

    static Aare parseAare(byte[] apdu) {
        Ber.Tlv outer = Ber.parseSingle(apdu, "AARE");
        if (outer.tag() != AARE) {
            throw new DlmsProtocolException(String.format("expected AARE (61), got %02X: %s", outer.tag(),
                    Hex.of(apdu)));
        }
        List<Ber.Tlv> fields = Ber.parseAll(outer.value());
        String context = null;
        Integer result = null;
        int diagSource = -1;
        int diag = -1;
        byte[] userInfo = null;
        int lastTag = -1;
        for (Ber.Tlv f : fields) {
            if (f.tag() <= lastTag) {
                throw new DlmsProtocolException(String.format(
                        "AARE fields out of order / repeated: %02X after %02X: %s", f.tag(), lastTag, Hex.of(apdu)));
            }
            lastTag = f.tag();
            switch (f.tag()) {
                case 0x80 -> { // protocol-version [0] IMPLICIT BIT STRING, optional
                }
                case 0xA1 -> {
                    Ber.Tlv oid = Ber.parseSingle(f.value(), "application-context-name");
                    if (oid.tag() != 0x06) {
                        throw new DlmsProtocolException("application-context-name is not an OID: " + Hex.of(apdu));
                    }
                    context = Ber.oidToString(oid.value());
                }
                case 0xA2 -> {
                    Ber.Tlv i = Ber.parseSingle(f.value(), "result");
                    if (i.tag() != 0x02) {
                        throw new DlmsProtocolException("AARE result is not an INTEGER: " + Hex.of(apdu));
                    }
                    result = (int) Ber.integer(i.value());
                }
                case 0xA3 -> {
                    Ber.Tlv choice = Ber.parseSingle(f.value(), "result-source-diagnostic");
                    if (choice.tag() != 0xA1 && choice.tag() != 0xA2) {
                        throw new DlmsProtocolException("bad result-source-diagnostic choice: " + Hex.of(apdu));
                    }
                    diagSource = choice.tag() & 0x0F;
                    Ber.Tlv i = Ber.parseSingle(choice.value(), "result-source-diagnostic value");
                    if (i.tag() != 0x02) {
                        throw new DlmsProtocolException("result-source-diagnostic is not an INTEGER: "
                                + Hex.of(apdu));
                    }
                    diag = (int) Ber.integer(i.value());
                }
                case 0xA4, 0xA5, 0xA6, 0xA7, 0x88, 0x89, 0xAA, 0x9D -> {
                    // responding-AP-title, -AE-qualifier, -AP-invocation-id, -AE-invocation-id,
                    // responder-acse-requirements, mechanism-name, responding-authentication-value,
                    // implementation-information: not used with authentication NONE
                }
                case 0xBE -> {
                    Ber.Tlv octets = Ber.parseSingle(f.value(), "user-information");
                    if (octets.tag() != 0x04) {
                        throw new DlmsProtocolException("AARE user-information is not an OCTET STRING: "
                                + Hex.of(apdu));
                    }
                    userInfo = octets.value();
                }
                default -> throw new DlmsProtocolException(String.format("unexpected AARE field %02X: %s", f.tag(),
                        Hex.of(apdu)));
            }
        }
        if (context == null || result == null || diagSource < 0) {
            throw new DlmsProtocolException("AARE lacks a mandatory field (application-context-name, result or "
                    + "result-source-diagnostic): " + Hex.of(apdu));
        }
        InitiateResponse ir = null;
        if (userInfo != null && result == 0) {
            ir = parseInitiateResponse(userInfo);
        }
        return new Aare(context, result, diagSource, diag, ir, userInfo, fields);
    }

    // ---- RLRQ / RLRE -----------------------------------------------------------------------------------------------

    /** How the release request is formed. */
    enum ReleaseForm {
        /** {@code 62 00}: no fields at all. */
        EMPTY,
        /** {@code 62 03 80 01 00}: reason normal. */
        REASON_NORMAL,
        /** reason normal plus user-information with an InitiateRequest, as some clients send. */
        REASON_AND_USER_INFO
    }

    static byte[] rlrq(ReleaseForm form, int conformance, int maxReceivePduSize) {
        byte[] reason = Ber.tlv(0x80, new byte[] {0x00});
        return switch (form) {
            case EMPTY -> new byte[] {RLRQ, 0x00};
            case REASON_NORMAL -> Ber.tlv(RLRQ, reason);
            case REASON_AND_USER_INFO -> Ber.tlv(RLRQ, Ber.concat(reason,
                    Ber.tlv(0xBE, Ber.tlv(0x04, initiateRequest(conformance, maxReceivePduSize)))));
        };
    }

    /**
     * Release response: reason (null when absent), the raw user-information, and whether its BER was well-formed
     * (false only from {@link #parseRlreTolerant}).
     */
    record Rlre(Integer reason, byte[] userInformation, boolean wellFormed) {
    }

    static Rlre parseRlre(byte[] apdu) {
        Ber.Tlv outer = Ber.parseSingle(apdu, "RLRE");
        if (outer.tag() != RLRE) {
            throw new DlmsProtocolException(String.format("expected RLRE (63), got %02X: %s", outer.tag(),
                    Hex.of(apdu)));
        }
        Integer reason = null;
        byte[] userInfo = null;
        for (Ber.Tlv f : Ber.parseAll(outer.value())) {
            switch (f.tag()) {
                case 0x80 -> reason = (int) Ber.integer(f.value());
                case 0xBE -> userInfo = Ber.parseSingle(f.value(), "RLRE user-information").value();
                default -> throw new DlmsProtocolException(String.format("unexpected RLRE field %02X: %s", f.tag(),
                        Hex.of(apdu)));
            }
        }
        return new Rlre(reason, userInfo, true);
    }

    /**
     * Last resort for an RLRE whose BER lengths are inconsistent: accepts it when it starts with the RLRE tag and,
     * if anything follows the length, a reason field {@code 80 01 xx}. The contents are not trusted beyond that.
     */
    static Rlre parseRlreTolerant(byte[] apdu) {
        if (apdu.length < 2 || (apdu[0] & 0xFF) != RLRE) {
            throw new DlmsProtocolException("not an RLRE at all: " + Hex.of(apdu));
        }
        Integer reason = null;
        if (apdu.length >= 5 && (apdu[2] & 0xFF) == 0x80 && apdu[3] == 0x01) {
            reason = apdu[4] & 0xFF;
        }
        return new Rlre(reason, null, false);
    }

    // ---- GET -------------------------------------------------------------------------------------------------------

    /** Cosem-Attribute-Descriptor: class-id, instance-id (logical name), attribute-id. */
    record AttributeDescriptor(int classId, byte[] instanceId, int attributeId) {
        AttributeDescriptor {
            if (instanceId.length != 6) {
                throw new IllegalArgumentException("instance-id has 6 bytes");
            }
        }

        void writeTo(ByteArrayOutputStream out) {
            out.write(classId >> 8);
            out.write(classId);
            out.writeBytes(instanceId);
            out.write(attributeId);
        }

        @Override
        public String toString() {
            StringJoiner j = new StringJoiner(".");
            for (byte b : instanceId) {
                j.add(Integer.toString(b & 0xFF));
            }
            return classId + "/" + j + "/" + attributeId;
        }
    }

    /** GET-Request-Normal: {@code C0 01 iip class(2) instance(6) attribute(1) 00} (no access selection). */
    static byte[] getRequestNormal(int invokeIdAndPriority, AttributeDescriptor attribute) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(13);
        out.write(GET_REQUEST);
        out.write(GET_NORMAL);
        out.write(invokeIdAndPriority);
        attribute.writeTo(out);
        out.write(0x00);
        return out.toByteArray();
    }

    /**
     * GET-Request-Normal with selective access: {@code C0 01 iip class(2) instance(6) attribute(1) 01 selector(1)
     * parameters}, the parameters being one A-XDR encoded data (Blue Book: Selective-Access-Descriptor).
     */
    static byte[] getRequestNormal(int invokeIdAndPriority, AttributeDescriptor attribute, int selector,
            byte[] parameters) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(15 + parameters.length);
        out.write(GET_REQUEST);
        out.write(GET_NORMAL);
        out.write(invokeIdAndPriority);
        attribute.writeTo(out);
        out.write(0x01);
        out.write(selector);
        out.writeBytes(parameters);
        return out.toByteArray();
    }

    /** GET-Request-Next: {@code C0 02 iip block-number(4)}, block-number = the last block received. */
    static byte[] getRequestNext(int invokeIdAndPriority, long blockNumber) {
        return new byte[] {(byte) GET_REQUEST, GET_NEXT, (byte) invokeIdAndPriority, (byte) (blockNumber >> 24),
            (byte) (blockNumber >> 16), (byte) (blockNumber >> 8), (byte) blockNumber};
    }

    /** GET-Request-With-List: {@code C0 03 iip count {class instance attribute 00}*}. */
    static byte[] getRequestWithList(int invokeIdAndPriority, List<AttributeDescriptor> attributes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(GET_REQUEST);
        out.write(GET_WITH_LIST);
        out.write(invokeIdAndPriority);
        Axdr.writeLength(out, attributes.size());
        for (AttributeDescriptor a : attributes) {
            a.writeTo(out);
            out.write(0x00);
        }
        return out.toByteArray();
    }

    /** Get-Data-Result: either data or a data-access-result. */
    record GetResult(DlmsData data, int dataAccessResult) {
        static GetResult ofData(DlmsData data) {
            return new GetResult(data, 0);
        }

        static GetResult ofError(int dar) {
            return new GetResult(null, dar);
        }

        boolean ok() {
            return data != null;
        }

        @Override
        public String toString() {
            return ok() ? data.toString() : "data-access-result " + dataAccessResult + " ("
                    + dataAccessResultName(dataAccessResult) + ")";
        }
    }

    sealed interface GetResponse permits GetResponseNormal, GetResponseWithDatablock, GetResponseWithList {
        int invokeIdAndPriority();
    }

    record GetResponseNormal(int invokeIdAndPriority, GetResult result) implements GetResponse {
    }

    /** DataBlock-G: last-block, block-number, raw-data or data-access-result (then {@code rawData} is null). */
    record GetResponseWithDatablock(int invokeIdAndPriority, boolean lastBlock, long blockNumber, byte[] rawData,
            int dataAccessResult) implements GetResponse {
    }

    record GetResponseWithList(int invokeIdAndPriority, List<GetResult> results) implements GetResponse {
    }

    /**
     * Decodes a GET-Response; Exception-Response and ConfirmedServiceError become a {@link DlmsProtocolException}
     * naming their contents.
     */
    static GetResponse parseGetResponse(byte[] apdu) {
        Axdr.Reader r = new Axdr.Reader(apdu);
        int tag = r.u8("APDU tag");
        if (tag == EXCEPTION_RESPONSE) {
            throw new DlmsProtocolException("server sent " + describeExceptionResponse(apdu));
        }
        if (tag == CONFIRMED_SERVICE_ERROR) {
            throw new DlmsProtocolException("server sent " + describeConfirmedServiceError(apdu));
        }
        if (tag != GET_RESPONSE) {
            throw new DlmsProtocolException(String.format("expected GET-Response (C4), got %02X: %s", tag,
                    Hex.of(apdu)));
        }
        int choice = r.u8("GET-Response choice");
        int iip = r.u8("invoke-id-and-priority");
        GetResponse response = switch (choice) {
            case GET_NORMAL -> new GetResponseNormal(iip, readGetDataResult(r));
            case 2 -> {
                boolean last = readBoolean(r, "last-block");
                long block = r.u32("block-number");
                int resultChoice = r.u8("DataBlock-G result choice");
                if (resultChoice == 0) {
                    yield new GetResponseWithDatablock(iip, last, block, r.bytes(r.length("raw-data"), "raw-data"),
                            0);
                } else if (resultChoice == 1) {
                    yield new GetResponseWithDatablock(iip, last, block, null, r.u8("data-access-result"));
                }
                throw new DlmsProtocolException("bad DataBlock-G result choice " + resultChoice + ": "
                        + Hex.of(apdu));
            }
            case GET_WITH_LIST -> new GetResponseWithList(iip, readGetDataResults(r));
            default -> throw new DlmsProtocolException("unknown GET-Response choice " + choice + ": "
                    + Hex.of(apdu));
        };
        r.expectEnd("GET-Response");
        return response;
    }

    private static boolean readBoolean(Axdr.Reader r, String what) {
        int b = r.u8(what);
        if (b != 0x00 && b != 0xFF && b != 0x01) {
            throw new DlmsProtocolException("bad BOOLEAN " + b + " for " + what);
        }
        return b != 0;
    }

    static GetResult readGetDataResult(Axdr.Reader r) {
        int choice = r.u8("Get-Data-Result choice");
        if (choice == 0) {
            return GetResult.ofData(Axdr.readData(r));
        }
        if (choice == 1) {
            return GetResult.ofError(r.u8("data-access-result"));
        }
        throw new DlmsProtocolException("bad Get-Data-Result choice " + choice + " at offset " + (r.position() - 1)
                + ": " + Hex.of(r.buffer()));
    }

    /** {@code SEQUENCE OF Get-Data-Result}: A-XDR count then the results. */
    static List<GetResult> readGetDataResults(Axdr.Reader r) {
        int n = r.length("Get-Data-Result list");
        List<GetResult> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            results.add(readGetDataResult(r));
        }
        return results;
    }

    static String dataAccessResultName(int dar) {
        return switch (dar) {
            case 0 -> "success";
            case 1 -> "hardware-fault";
            case 2 -> "temporary-failure";
            case 3 -> "read-write-denied";
            case 4 -> "object-undefined";
            case 9 -> "object-class-inconsistent";
            case 11 -> "object-unavailable";
            case 12 -> "type-unmatched";
            case 13 -> "scope-of-access-violated";
            case 14 -> "data-block-unavailable";
            case 15 -> "long-get-aborted";
            case 16 -> "no-long-get-in-progress";
            case 17 -> "long-set-aborted";
            case 18 -> "no-long-set-in-progress";
            case 19 -> "data-block-number-invalid";
            case 250 -> "other-reason";
            default -> "unknown";
        };
    }

    static String describeExceptionResponse(byte[] apdu) {
        if (apdu.length != 3) {
            return "malformed Exception-Response " + Hex.of(apdu);
        }
        String state = switch (apdu[1]) {
            case 1 -> "service-not-allowed";
            case 2 -> "service-unknown";
            default -> "state-error " + apdu[1];
        };
        String service = switch (apdu[2]) {
            case 1 -> "operation-not-possible";
            case 2 -> "service-not-supported";
            case 3 -> "other-reason";
            case 4 -> "pdu-too-long";
            case 5 -> "deciphering-error";
            case 6 -> "invocation-counter-error";
            default -> "service-error " + apdu[2];
        };
        return "Exception-Response (" + state + ", " + service + "): " + Hex.of(apdu);
    }

    static String describeConfirmedServiceError(byte[] apdu) {
        // ConfirmedServiceError ::= CHOICE { initiateError [1], getStatus [2], ... read [5], write [6] } each a
        // ServiceError CHOICE { application-reference [0], hardware-resource [1], ..., initiate [6], ... } ENUMERATED
        if (apdu.length != 4) {
            return "malformed ConfirmedServiceError " + Hex.of(apdu);
        }
        return "ConfirmedServiceError (service " + apdu[1] + ", error class " + apdu[2] + ", value " + apdu[3] + "): "
                + Hex.of(apdu);
    }

    static byte[] copy(byte[] b) {
        return Arrays.copyOf(b, b.length);
    }
}
