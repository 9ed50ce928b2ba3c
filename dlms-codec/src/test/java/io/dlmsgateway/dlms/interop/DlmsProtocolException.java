package io.dlmsgateway.dlms.interop;

/** The peer sent something the independent client considers a protocol violation or an error response. */
class DlmsProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DlmsProtocolException(String message) {
        super(message);
    }

    DlmsProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
