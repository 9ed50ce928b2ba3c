package io.dlmsgateway.dlms.frame;

import io.netty.buffer.ByteBuf;

/**
 * CRC-16/X.25, the checksum of IEC 62056-46 HDLC frames (the header check sequence HCS and the frame check
 * sequence FCS): polynomial 0x1021 processed bit-reflected (0x8408), initial value 0xFFFF, final XOR 0xFFFF.
 *
 * <p>The value returned is the arithmetic CRC (the check value of ASCII {@code "123456789"} is {@code 0x906E});
 * on the wire it is sent least significant byte first, i.e. {@link ByteBuf#writeShortLE(int)}.
 */
public final class Crc16X25 {

    private static final int[] TABLE = new int[256];

    static {
        for (int b = 0; b < 256; b++) {
            int crc = b;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
            }
            TABLE[b] = crc;
        }
    }

    private Crc16X25() {
    }

    /**
     * Computes the CRC of {@code length} bytes of {@code buf} starting at absolute {@code index}, without moving
     * the buffer's reader or writer index.
     */
    public static int checksum(ByteBuf buf, int index, int length) {
        int crc = 0xFFFF;
        if (buf.hasArray()) {
            // heap buffers: index the backing array directly; per-byte getByte() costs bounds and refCnt checks
            byte[] array = buf.array();
            int from = buf.arrayOffset() + index;
            if (index < 0 || length < 0 || index + length > buf.capacity()) {
                throw new IndexOutOfBoundsException("index " + index + ", length " + length
                        + ", capacity " + buf.capacity());
            }
            for (int i = from, end = from + length; i < end; i++) {
                crc = (crc >>> 8) ^ TABLE[(crc ^ array[i]) & 0xFF];
            }
        } else {
            for (int i = index, end = index + length; i < end; i++) {
                crc = (crc >>> 8) ^ TABLE[(crc ^ buf.getByte(i)) & 0xFF];
            }
        }
        return ~crc & 0xFFFF;
    }

    /** Computes the CRC of {@code length} bytes of {@code bytes} starting at {@code offset}. */
    public static int checksum(byte[] bytes, int offset, int length) {
        int crc = 0xFFFF;
        for (int i = offset, end = offset + length; i < end; i++) {
            crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]) & 0xFF];
        }
        return ~crc & 0xFFFF;
    }
}
