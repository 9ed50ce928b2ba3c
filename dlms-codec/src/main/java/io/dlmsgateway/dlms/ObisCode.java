package io.dlmsgateway.dlms;

import java.util.Arrays;

/**
 * A COSEM logical name: six value groups A.B.C.D.E.F, each 0..255.
 *
 * <p>Parses the dotted form used by Gurux and most configurations ({@code 1.0.32.7.0.255}) and the IEC display form
 * ({@code 1-0:32.7.0*255}).
 */
public final class ObisCode {

    private final byte[] groups;

    private ObisCode(byte[] groups) {
        this.groups = groups;
    }

    /** Builds a code from its six value groups. */
    public static ObisCode of(int a, int b, int c, int d, int e, int f) {
        int[] values = {a, b, c, d, e, f};
        byte[] bytes = new byte[6];
        for (int i = 0; i < 6; i++) {
            if (values[i] < 0 || values[i] > 255) {
                throw new IllegalArgumentException("OBIS value group " + (char) ('A' + i) + " out of range 0..255: "
                        + values[i]);
            }
            bytes[i] = (byte) values[i];
        }
        return new ObisCode(bytes);
    }

    /** Builds a code from the six bytes of a logical name octet-string. */
    public static ObisCode ofBytes(byte[] logicalName) {
        if (logicalName.length != 6) {
            throw new IllegalArgumentException("a logical name has 6 bytes, got " + logicalName.length);
        }
        return new ObisCode(logicalName.clone());
    }

    /**
     * Parses {@code A.B.C.D.E.F} or {@code A-B:C.D.E*F}.
     *
     * @throws IllegalArgumentException naming what is wrong with the text
     */
    public static ObisCode parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("OBIS code is missing");
        }
        String[] parts = text.trim().split("[.:*-]", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("malformed OBIS code '" + text + "': expected six value groups such as "
                    + "1.0.32.7.0.255");
        }
        int[] values = new int[6];
        for (int i = 0; i < 6; i++) {
            try {
                values[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("malformed OBIS code '" + text + "': value group "
                        + (char) ('A' + i) + " '" + parts[i] + "' is not a number", e);
            }
            if (values[i] < 0 || values[i] > 255) {
                throw new IllegalArgumentException("malformed OBIS code '" + text + "': value group "
                        + (char) ('A' + i) + " is " + values[i] + ", outside 0..255");
            }
        }
        return of(values[0], values[1], values[2], values[3], values[4], values[5]);
    }

    /** Value group {@code index} (0 = A .. 5 = F) as 0..255. */
    public int group(int index) {
        return groups[index] & 0xFF;
    }

    /** The six bytes of the logical name. */
    public byte[] toBytes() {
        return groups.clone();
    }

    /** Dotted form, as Gurux expects it: {@code 1.0.32.7.0.255}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(23);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                sb.append('.');
            }
            sb.append(groups[i] & 0xFF);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObisCode other && Arrays.equals(groups, other.groups);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(groups);
    }
}
