package io.dlmsgateway.dlms;

/** How DLMS APDUs travel over a TCP connection. */
public enum Framing {
    /** IEC 62056-47 TCP/UDP wrapper: 8-byte header of version, source wPort, destination wPort and length. */
    WRAPPER,
    /** IEC 62056-46 HDLC frames carried over TCP, as many meters and serial-to-IP converters do. */
    HDLC
}
