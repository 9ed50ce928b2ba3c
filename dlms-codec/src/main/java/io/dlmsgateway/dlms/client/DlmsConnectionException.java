package io.dlmsgateway.dlms.client;

/** The TCP connection could not be opened, or closed while a request was outstanding. */
public final class DlmsConnectionException extends DlmsException {

    private static final long serialVersionUID = 1L;

    public DlmsConnectionException(String meter, String message, Throwable cause) {
        super(meter, message, cause);
    }
}
