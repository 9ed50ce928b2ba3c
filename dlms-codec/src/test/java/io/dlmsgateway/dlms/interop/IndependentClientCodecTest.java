package io.dlmsgateway.dlms.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dlmsgateway.dlms.ObisCode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The independent client's encoders and decoders against byte vectors worked out by hand from the standards (and
 * cross-checked with a separate throw-away script), not against any other DLMS implementation.
 */
class IndependentClientCodecTest {

    // ---- CRC-16/X.25 -----------------------------------------------------------------------------------------------

    @Test
    void crcCheckValue() {
        assertThat(Crc16X25.compute("123456789".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0x906E);
    }

    @Test
    void crcOfEmptyInputIsZero() {
        assertThat(Crc16X25.compute(new byte[0])).isEqualTo(0x0000);
    }

    // ---- HDLC ------------------------------------------------------------------------------------------------------

    @Test
    void hdlcAddresses() {
        assertThat(Hdlc.clientAddress(16)).containsExactly(0x21);
        assertThat(Hdlc.clientAddress(1)).containsExactly(0x03);
        assertThat(Hdlc.serverAddress(1, -1)).containsExactly(0x03);
        assertThat(Hdlc.serverAddress(1, 17)).containsExactly(0x02, 0x23);
        assertThat(Hdlc.serverAddress(1, 0x7F)).containsExactly(0x02, 0xFF);
        // physical 256 needs 14 bits: upper 00 02, lower (256 >> 7 = 2) << 1 = 04, (0 << 1) | 1 = 01
        assertThat(Hdlc.serverAddress(1, 256)).containsExactly(0x00, 0x02, 0x04, 0x01);
        assertThat(Hdlc.serverAddress(0x3FFF, 0x3FFF)).containsExactly(0xFE, 0xFE, 0xFE, 0xFF);
    }

    @Test
    void hdlcControlFields() {
        assertThat(Hdlc.iControl(0, 0, true)).isEqualTo(0x10);
        assertThat(Hdlc.iControl(1, 1, true)).isEqualTo(0x32);
        assertThat(Hdlc.iControl(7, 7, true)).isEqualTo(0xFE);
        assertThat(Hdlc.rrControl(1)).isEqualTo(0x31);
        assertThat(Hdlc.rrControl(0)).isEqualTo(0x11);
        assertThat(Hdlc.isIFrame(0x54)).isTrue();
        assertThat(Hdlc.ns(0x54)).isEqualTo(2);
        assertThat(Hdlc.nr(0x54)).isEqualTo(2);
        assertThat(Hdlc.isRr(0x51)).isTrue();
        assertThat(Hdlc.isIFrame(Hdlc.SNRM)).isFalse();
    }

    @Test
    void snrmAndDiscToOneByteServerAddressMatchTheWellKnownFrames() {
        assertThat(Hdlc.encode(Hdlc.serverAddress(1, -1), Hdlc.clientAddress(16), Hdlc.SNRM, null, false))
                .isEqualTo(Hex.parse("7E A0 07 03 21 93 0F 01 7E"));
        assertThat(Hdlc.encode(Hdlc.serverAddress(1, -1), Hdlc.clientAddress(16), Hdlc.DISC, null, false))
                .isEqualTo(Hex.parse("7E A0 07 03 21 53 03 C7 7E"));
    }

    @Test
    void snrmWithTwoAndFourByteServerAddresses() {
        assertThat(Hdlc.encode(Hdlc.serverAddress(1, 17), Hdlc.clientAddress(16), Hdlc.SNRM, null, false))
                .isEqualTo(Hex.parse("7E A0 08 02 23 21 93 BD 64 7E"));
        assertThat(Hdlc.encode(Hdlc.serverAddress(1, 256), Hdlc.clientAddress(16), Hdlc.SNRM, null, false))
                .isEqualTo(Hex.parse("7E A0 0A 00 02 04 01 21 93 77 B5 7E"));
    }

    @Test
    void iFrameWithAarqHasHcsAndFcs() {
        byte[] info = Hdlc.concat(Hdlc.LLC_REQUEST, Apdu.aarq(IndependentDlmsClient.DEFAULT_CONFORMANCE, 0xFFFF));
        assertThat(Hdlc.encode(Hdlc.serverAddress(1, 17), Hdlc.clientAddress(16), 0x10, info, false))
                .isEqualTo(Hex.parse("7E A0 2C 02 23 21 10 AF 9F E6 E6 00 60 1D A1 09 06 07 60 85 74 05 08 01 01 BE "
                        + "10 04 0E 01 00 00 00 06 5F 1F 04 00 00 12 14 FF FF EF EF 7E"));
    }

    @Test
    void decodesUaWithParameters() {
        byte[] wire = Hex.parse("7E A0 1F 21 02 23 73 E6 C7 81 80 12 05 01 80 06 01 80 07 04 00 00 00 01 08 04 00 00 "
                + "00 01 53 3B 7E");
        Hdlc.Frame f = Hdlc.decode(java.util.Arrays.copyOfRange(wire, 1, wire.length - 1));
        assertThat(f.dest()).containsExactly(0x21);
        assertThat(f.src()).containsExactly(0x02, 0x23);
        assertThat(f.control()).isEqualTo(Hdlc.UA);
        assertThat(f.segmented()).isFalse();
        assertThat(Hdlc.Parameters.parse(f.info())).isEqualTo(new Hdlc.Parameters(128, 128, 1, 1));
    }

    @Test
    void parametersWithTwoByteValuesAndOmissions() {
        assertThat(Hdlc.Parameters.parse(Hex.parse("81 80 08 05 02 01 00 06 02 00 40")))
                .isEqualTo(new Hdlc.Parameters(256, 64, 1, 1));
        assertThat(Hdlc.Parameters.parse(new byte[0])).isEqualTo(Hdlc.Parameters.defaults());
    }

    @Test
    void decodeRejectsBadChecksumsAndAddresses() {
        byte[] good = Hex.parse("A0 1F 21 02 23 73 E6 C7 81 80 12 05 01 80 06 01 80 07 04 00 00 00 01 08 04 00 00 "
                + "00 01 53 3B");
        byte[] badHcs = good.clone();
        badHcs[7] ^= 1;
        assertThatThrownBy(() -> Hdlc.decode(badHcs)).hasMessageContaining("HCS");
        byte[] badFcs = good.clone();
        badFcs[12] ^= 1;
        assertThatThrownBy(() -> Hdlc.decode(badFcs)).hasMessageContaining("FCS");
        byte[] badLength = good.clone();
        badLength[1] = 0x1E;
        assertThatThrownBy(() -> Hdlc.decode(badLength)).hasMessageContaining("length");
        assertThatThrownBy(() -> Hdlc.decode(Hex.parse("A0 08 02 22 21 93 00 00")))
                .hasMessageContaining("3 bytes");
    }

    @Test
    void segmentedBitAndLongLength() {
        byte[] info = new byte[300];
        byte[] frame = Hdlc.encode(Hdlc.clientAddress(16), Hdlc.serverAddress(1, 17), 0x30, info, true);
        assertThat(frame.length).isEqualTo(2 + 2 + 3 + 1 + 2 + 300 + 2);
        assertThat(frame[1] & 0xFF).isEqualTo(0xA9); // A0 | segmented 08 | length high bits 1
        assertThat(frame[2] & 0xFF).isEqualTo(310 - 256);
        Hdlc.Frame f = Hdlc.decode(java.util.Arrays.copyOfRange(frame, 1, frame.length - 1));
        assertThat(f.segmented()).isTrue();
        assertThat(f.info()).hasSize(300);
    }

    // ---- ACSE / xDLMS --------------------------------------------------------------------------------------------

    @Test
    void aarqMatchesTheGreenBookLayout() {
        // the Green Book example AARQ (conformance 00 7E 1F, max PDU 04 B0)
        assertThat(Apdu.aarq(0x007E1F, 0x04B0)).isEqualTo(Hex.parse(
                "60 1D A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 7E 1F 04 B0"));
        assertThat(Apdu.aarq(IndependentDlmsClient.DEFAULT_CONFORMANCE, 0xFFFF)).isEqualTo(Hex.parse(
                "60 1D A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 12 14 FF FF"));
    }

    @Test
    void conformanceBits() {
        assertThat(Apdu.CONF_GET).isEqualTo(0x000010);
        assertThat(Apdu.CONF_BLOCK_TRANSFER_WITH_GET).isEqualTo(0x001000);
        assertThat(Apdu.CONF_MULTIPLE_REFERENCES).isEqualTo(0x000200);
        assertThat(Apdu.CONF_ACTION).isEqualTo(0x000001);
        assertThat(Apdu.CONF_GENERAL_PROTECTION).isEqualTo(0x400000);
        assertThat(Apdu.conformanceToString(0x001210)).isEqualTo(
                "{block-transfer-with-get-or-read, multiple-references, get}");
    }

    @Test
    void oidEncoding() {
        assertThat(Apdu.LN_NO_CIPHERING).isEqualTo(Hex.parse("60 85 74 05 08 01 01"));
        assertThat(Ber.oidToString(Hex.parse("60 85 74 05 08 01 01"))).isEqualTo("2.16.756.5.8.1.1");
    }

    @Test
    void parsesAcceptedAare() {
        Apdu.Aare aare = Apdu.parseAare(Hex.parse("61 29 A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 00 A3 05 A1 03 "
                + "02 01 00 BE 10 04 0E 08 00 06 5F 1F 04 00 00 50 1F 01 F4 00 07"));
        assertThat(aare.accepted()).isTrue();
        assertThat(aare.applicationContextName()).isEqualTo("2.16.756.5.8.1.1");
        assertThat(aare.diagnosticSource()).isEqualTo(1);
        assertThat(aare.diagnostic()).isZero();
        Apdu.InitiateResponse ir = aare.initiateResponse();
        assertThat(ir.dlmsVersion()).isEqualTo(6);
        assertThat(ir.conformance()).isEqualTo(0x00501F);
        assertThat(ir.serverMaxReceivePduSize()).isEqualTo(500);
        assertThat(ir.vaaName()).isEqualTo(7);
        assertThat(ir.qualityOfService()).isNull();
    }

    @Test
    void parsesRejectedAare() {
        Apdu.Aare aare = Apdu.parseAare(Hex.parse("61 1F A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 01 A3 05 A1 03 "
                + "02 01 0D BE 06 04 04 0E 01 06 01"));
        assertThat(aare.accepted()).isFalse();
        assertThat(aare.result()).isEqualTo(1);
        assertThat(aare.diagnostic()).isEqualTo(13);
        assertThat(aare.initiateResponse()).isNull();
    }

    @Test
    void aareWithWrongLengthIsRejected() {
        assertThatThrownBy(() -> Apdu.parseAare(Hex.parse("61 2A A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 00 A3 "
                + "05 A1 03 02 01 00 BE 10 04 0E 08 00 06 5F 1F 04 00 00 50 1F 01 F4 00 07")))
                .isInstanceOf(DlmsProtocolException.class);
    }

    @Test
    void releaseForms() {
        assertThat(Apdu.rlrq(Apdu.ReleaseForm.EMPTY, 0, 0)).isEqualTo(Hex.parse("62 00"));
        assertThat(Apdu.rlrq(Apdu.ReleaseForm.REASON_NORMAL, 0, 0)).isEqualTo(Hex.parse("62 03 80 01 00"));
        assertThat(Apdu.rlrq(Apdu.ReleaseForm.REASON_AND_USER_INFO, 0x001210, 0xFFFF)).isEqualTo(Hex.parse(
                "62 15 80 01 00 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 12 10 FF FF"));
        assertThat(Apdu.parseRlre(Hex.parse("63 03 80 01 00")).reason()).isZero();
        assertThat(Apdu.parseRlre(Hex.parse("63 00")).reason()).isNull();
        Apdu.Rlre withUserInfo = Apdu.parseRlre(Hex.parse(
                "63 15 80 01 00 BE 10 04 0E 08 00 06 5F 1F 04 00 00 12 14 04 00 00 07"));
        assertThat(withUserInfo.wellFormed()).isTrue();
        assertThat(Apdu.parseInitiateResponse(withUserInfo.userInformation()).serverMaxReceivePduSize())
                .isEqualTo(1024);
    }

    @Test
    void rlreWithTooSmallLengthsIsOnlyAcceptedTolerantly() {
        // as the Gurux 4.0.47 server sends it: 63 11 (21 bytes follow) and BE 0F (16 bytes follow)
        byte[] gurux = Hex.parse("63 11 80 01 00 BE 0F 04 0E 08 00 06 5F 1F 04 00 00 12 14 04 00 00 07");
        assertThatThrownBy(() -> Apdu.parseRlre(gurux)).isInstanceOf(DlmsProtocolException.class);
        Apdu.Rlre tolerant = Apdu.parseRlreTolerant(gurux);
        assertThat(tolerant.wellFormed()).isFalse();
        assertThat(tolerant.reason()).isZero();
        assertThatThrownBy(() -> Apdu.parseRlreTolerant(Hex.parse("61 00"))).hasMessageContaining("not an RLRE");
    }

    // ---- GET -------------------------------------------------------------------------------------------------------

    private static Apdu.AttributeDescriptor reg(String obis, int attribute) {
        return new Apdu.AttributeDescriptor(3, ObisCode.parse(obis).toBytes(), attribute);
    }

    @Test
    void getRequests() {
        assertThat(Apdu.getRequestNormal(0xC1, reg("1.0.32.7.0.255", 2)))
                .isEqualTo(Hex.parse("C0 01 C1 00 03 01 00 20 07 00 FF 02 00"));
        assertThat(Apdu.getRequestNext(0xC2, 1)).isEqualTo(Hex.parse("C0 02 C2 00 00 00 01"));
        assertThat(Apdu.getRequestWithList(0xC3, List.of(reg("1.0.32.7.0.255", 2), reg("1.0.32.7.0.255", 3))))
                .isEqualTo(Hex.parse("C0 03 C3 02 00 03 01 00 20 07 00 FF 02 00 00 03 01 00 20 07 00 FF 03 00"));
    }

    @Test
    void getResponseNormalWithData() {
        Apdu.GetResponse r = Apdu.parseGetResponse(Hex.parse("C4 01 C1 00 12 09 1A"));
        assertThat(r).isInstanceOf(Apdu.GetResponseNormal.class);
        Apdu.GetResponseNormal n = (Apdu.GetResponseNormal) r;
        assertThat(n.invokeIdAndPriority()).isEqualTo(0xC1);
        assertThat(n.result().data()).isEqualTo(new DlmsData(DlmsData.LONG_UNSIGNED, 2330L));
    }

    @Test
    void getResponseNormalWithDataAccessResult() {
        Apdu.GetResponseNormal n = (Apdu.GetResponseNormal) Apdu.parseGetResponse(Hex.parse("C4 01 C1 01 04"));
        assertThat(n.result().ok()).isFalse();
        assertThat(n.result().dataAccessResult()).isEqualTo(4);
        assertThat(n.result().toString()).contains("object-undefined");
    }

    @Test
    void getResponseWithDatablock() {
        Apdu.GetResponseWithDatablock b = (Apdu.GetResponseWithDatablock) Apdu.parseGetResponse(Hex.parse(
                "C4 02 C1 00 00 00 00 01 00 04 01 02 12 00"));
        assertThat(b.lastBlock()).isFalse();
        assertThat(b.blockNumber()).isEqualTo(1);
        assertThat(b.rawData()).containsExactly(0x01, 0x02, 0x12, 0x00);
        Apdu.GetResponseWithDatablock last = (Apdu.GetResponseWithDatablock) Apdu.parseGetResponse(Hex.parse(
                "C4 02 C1 FF 00 00 00 02 01 0F"));
        assertThat(last.lastBlock()).isTrue();
        assertThat(last.rawData()).isNull();
        assertThat(last.dataAccessResult()).isEqualTo(15);
    }

    @Test
    void getResponseWithList() {
        Apdu.GetResponseWithList l = (Apdu.GetResponseWithList) Apdu.parseGetResponse(Hex.parse(
                "C4 03 C1 02 00 02 02 0F FF 16 23 01 04"));
        assertThat(l.results()).hasSize(2);
        assertThat(l.results().get(0).data().elements()).containsExactly(new DlmsData(DlmsData.INTEGER, -1L),
                new DlmsData(DlmsData.ENUM, 35));
        assertThat(l.results().get(1).dataAccessResult()).isEqualTo(4);
    }

    @Test
    void errorResponsesAndTrailingBytes() {
        assertThatThrownBy(() -> Apdu.parseGetResponse(Hex.parse("D8 01 02")))
                .hasMessageContaining("service-not-allowed").hasMessageContaining("service-not-supported");
        assertThatThrownBy(() -> Apdu.parseGetResponse(Hex.parse("C4 01 C1 00 12 09 1A 00")))
                .hasMessageContaining("trailing");
        assertThatThrownBy(() -> Apdu.parseGetResponse(Hex.parse("C4 01 C1 00 12 09")))
                .hasMessageContaining("truncated");
    }

    // ---- A-XDR data ------------------------------------------------------------------------------------------------

    @Test
    void decodesScalarTypes() {
        assertThat(Axdr.decodeData(Hex.parse("00")).value()).isNull();
        assertThat(Axdr.decodeData(Hex.parse("03 01")).value()).isEqualTo(true);
        assertThat(Axdr.decodeData(Hex.parse("03 00")).value()).isEqualTo(false);
        assertThat(Axdr.decodeData(Hex.parse("04 0A 80 40")).value().toString()).isEqualTo("1000000001");
        assertThat(Axdr.decodeData(Hex.parse("05 FF FF FF FE")).value()).isEqualTo(-2L);
        assertThat(Axdr.decodeData(Hex.parse("06 FF FF FF FE")).value()).isEqualTo(4294967294L);
        assertThat((byte[]) Axdr.decodeData(Hex.parse("09 06 01 00 20 07 00 FF")).value())
                .containsExactly(1, 0, 32, 7, 0, 255);
        assertThat(Axdr.decodeData(Hex.parse("0A 03 41 42 43")).value()).isEqualTo("ABC");
        assertThat(Axdr.decodeData(Hex.parse("0C 02 C3 A9")).value()).isEqualTo("é");
        assertThat(Axdr.decodeData(Hex.parse("0F FE")).value()).isEqualTo(-2L);
        assertThat(Axdr.decodeData(Hex.parse("10 FF 38")).value()).isEqualTo(-200L);
        assertThat(Axdr.decodeData(Hex.parse("11 FF")).value()).isEqualTo(255L);
        assertThat(Axdr.decodeData(Hex.parse("12 FF FF")).value()).isEqualTo(65535L);
        assertThat(Axdr.decodeData(Hex.parse("14 FF FF FF FF FF FF FF FF")).value()).isEqualTo(-1L);
        assertThat(Axdr.decodeData(Hex.parse("15 00 00 00 00 00 00 01 00")).value()).isEqualTo(256L);
        assertThat(Axdr.decodeData(Hex.parse("15 FF FF FF FF FF FF FF FF")).value())
                .isEqualTo(new BigInteger("18446744073709551615"));
        assertThat(Axdr.decodeData(Hex.parse("16 23")).value()).isEqualTo(35);
        assertThat(Axdr.decodeData(Hex.parse("17 43 69 00 00")).value()).isEqualTo(233.0f);
        assertThat(Axdr.decodeData(Hex.parse("18 40 6D 20 00 00 00 00 00")).value()).isEqualTo(233.0d);
        assertThat((byte[]) Axdr.decodeData(Hex.parse("19 07 E9 01 0F 03 0C 1E 00 00 80 00 00")).value())
                .hasSize(12);
    }

    @Test
    void decodesStructuresArraysAndLongLengths() {
        DlmsData d = Axdr.decodeData(Hex.parse("01 02 02 02 0F FF 16 23 02 02 0F 00 16 1B"));
        assertThat(d.tag()).isEqualTo(DlmsData.ARRAY);
        assertThat(d.elements()).hasSize(2);
        assertThat(d.elements().get(1).elements().get(1)).isEqualTo(new DlmsData(DlmsData.ENUM, 27));

        byte[] longOctets = new byte[3 + 200];
        longOctets[0] = 0x09;
        longOctets[1] = (byte) 0x81;
        longOctets[2] = (byte) 200;
        assertThat((byte[]) Axdr.decodeData(longOctets).value()).hasSize(200);
        byte[] longerOctets = new byte[4 + 300];
        longerOctets[0] = 0x09;
        longerOctets[1] = (byte) 0x82;
        longerOctets[2] = 0x01;
        longerOctets[3] = 0x2C;
        assertThat((byte[]) Axdr.decodeData(longerOctets).value()).hasSize(300);
        assertThatThrownBy(() -> Axdr.decodeData(Hex.parse("63 00"))).hasMessageContaining("Data tag 99");
    }

    // ---- scaling and units -----------------------------------------------------------------------------------------

    @Test
    void scalesRegisterValues() {
        ObisCode v = ObisCode.parse("1.0.32.7.0.255");
        DlmsData minusOneVolt = Axdr.decodeData(Hex.parse("02 02 0F FF 16 23"));
        IndependentDlmsClient.RegisterReading r = IndependentDlmsClient.scale(v,
                Axdr.decodeData(Hex.parse("12 09 1A")), minusOneVolt);
        assertThat(r.value()).isEqualByComparingTo(new BigDecimal("233.0"));
        assertThat(r.unit()).isEqualTo("V");

        IndependentDlmsClient.RegisterReading e = IndependentDlmsClient.scale(v,
                Axdr.decodeData(Hex.parse("06 00 00 30 39")), Axdr.decodeData(Hex.parse("02 02 0F 03 16 1E")));
        assertThat(e.value()).isEqualByComparingTo(new BigDecimal("12345000"));
        assertThat(e.unit()).isEqualTo("Wh");

        assertThatThrownBy(() -> IndependentDlmsClient.scale(v, Axdr.decodeData(Hex.parse("12 09 1A")),
                Axdr.decodeData(Hex.parse("02 02 11 FF 16 23")))).hasMessageContaining("scaler_unit");
    }

    @Test
    void unitTexts() {
        assertThat(IndependentDlmsClient.unitText(27)).isEqualTo("W");
        assertThat(IndependentDlmsClient.unitText(28)).isEqualTo("VA");
        assertThat(IndependentDlmsClient.unitText(29)).isEqualTo("var");
        assertThat(IndependentDlmsClient.unitText(30)).isEqualTo("Wh");
        assertThat(IndependentDlmsClient.unitText(31)).isEqualTo("VAh");
        assertThat(IndependentDlmsClient.unitText(32)).isEqualTo("varh");
        assertThat(IndependentDlmsClient.unitText(33)).isEqualTo("A");
        assertThat(IndependentDlmsClient.unitText(35)).isEqualTo("V");
        assertThat(IndependentDlmsClient.unitText(44)).isEqualTo("Hz");
        assertThat(IndependentDlmsClient.unitText(255)).isEmpty();
    }
}
