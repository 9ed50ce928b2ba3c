package io.dlmsgateway.dlms.interop;

import java.io.ByteArrayOutputStream;

/** Hex dump and parse helpers for the independent client and its tests. */
final class Hex {

    private Hex() {
    }

    static String of(byte[] bytes) {
        if (bytes == null) {
            return "null";
        }
        return of(bytes, 0, bytes.length);
    }

    static String of(byte[] bytes, int offset, int length) {
        StringBuilder sb = new StringBuilder(length * 3);
        for (int i = offset; i < offset + length; i++) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02X", bytes[i] & 0xFF));
        }
        return sb.toString();
    }

    /** Parses hex with optional whitespace, e.g. {@code "7E A0 07"}. */
    static byte[] parse(String text) {
        String s = text.replaceAll("\\s+", "");
        if (s.length() % 2 != 0) {
            throw new IllegalArgumentException("odd number of hex digits: " + text);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() / 2);
        for (int i = 0; i < s.length(); i += 2) {
            out.write(Integer.parseInt(s.substring(i, i + 2), 16));
        }
        return out.toByteArray();
    }
}
