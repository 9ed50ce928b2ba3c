package io.dlmsgateway.dlms.interop;

/**
 * CRC-16/X.25 (ISO/IEC 13239 FCS-16), as IEC 62056-46 uses it for the HCS and FCS of HDLC frames: polynomial
 * x^16 + x^12 + x^5 + 1 (0x1021, processed bit-reversed as 0x8408), initial value 0xFFFF, input and output
 * reflected, final XOR 0xFFFF. The result goes on the wire least significant byte first.
 *
 * <p>Written from the standard's definition for the independent test client; deliberately bit-by-bit, no table.
 */
final class Crc16X25 {

    private Crc16X25() {
    }

    static int compute(byte[] data, int offset, int length) {
        int crc = 0xFFFF;
        for (int i = offset; i < offset + length; i++) {
            crc ^= data[i] & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                if ((crc & 1) != 0) {
                    crc = (crc >>> 1) ^ 0x8408;
                } else {
                    crc >>>= 1;
                }
            }
        }
        return ~crc & 0xFFFF;
    }

    static int compute(byte[] data) {
        return compute(data, 0, data.length);
    }
}
