package io.dlmsgateway.fleet;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * How the push listener knows which meter a notification came from.
 *
 * @param kind  what is compared
 * @param value what it must be, normalized: a system title as 16 lower-case hex digits, a logical device name as
 *              text (an octet-string body element compared as ASCII), a wPort or HDLC address in decimal, a source
 *              address as an IP literal
 */
public record PushMatch(Kind kind, String value) {

    /** What identifies the sender. */
    public enum Kind {
        /** The 8-octet system title a ciphered notification carries (general-glo-ciphering). */
        SYSTEM_TITLE,
        /** The logical device name (0.0.42.0.0.255) the notification's body carries as its first element. */
        LOGICAL_DEVICE_NAME,
        /** The WRAPPER source wPort (the meter's logical device address). */
        WPORT,
        /** The HDLC source (server) address of the frame, as one number. */
        HDLC_ADDRESS,
        /** The IP address the connection comes from. */
        SOURCE_ADDRESS
    }

    public PushMatch {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
        value = switch (kind) {
            case SYSTEM_TITLE -> {
                String hex = value.replace(" ", "").replace(":", "").toLowerCase(Locale.ROOT);
                if (hex.length() != 16) {
                    throw new IllegalArgumentException("a system title is 8 octets (16 hex digits), got '" + value
                            + "'");
                }
                HexFormat.of().parseHex(hex);
                yield hex;
            }
            case WPORT, HDLC_ADDRESS -> {
                int n = Integer.parseInt(value.trim());
                if (n < 0 || n > (kind == Kind.WPORT ? 0xFFFF : 0x3FFF_FFFF)) {
                    throw new IllegalArgumentException(kind + " " + n + " is out of range");
                }
                yield Integer.toString(n);
            }
            default -> value;
        };
    }

    public static PushMatch systemTitle(String hex) {
        return new PushMatch(Kind.SYSTEM_TITLE, hex);
    }

    public static PushMatch logicalDeviceName(String name) {
        return new PushMatch(Kind.LOGICAL_DEVICE_NAME, name);
    }

    public static PushMatch wPort(int port) {
        return new PushMatch(Kind.WPORT, Integer.toString(port));
    }

    public static PushMatch hdlcAddress(int address) {
        return new PushMatch(Kind.HDLC_ADDRESS, Integer.toString(address));
    }

    public static PushMatch sourceAddress(String ip) {
        return new PushMatch(Kind.SOURCE_ADDRESS, ip);
    }
}
