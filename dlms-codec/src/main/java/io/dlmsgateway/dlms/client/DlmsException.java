package io.dlmsgateway.dlms.client;

/**
 * Base of every failure the DLMS client reports. The message always names the meter, so a line in a log of ten
 * thousand meters says which one failed and why.
 */
public class DlmsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String meter;

    public DlmsException(String meter, String message, Throwable cause) {
        super("[" + meter + "] " + message, cause);
        this.meter = meter;
    }

    public DlmsException(String meter, String message) {
        this(meter, message, null);
    }

    /** Name of the meter the failure belongs to. */
    public String meter() {
        return meter;
    }

    /**
     * True when the association can no longer be trusted and the connection has been closed; false for failures that
     * leave the association usable, such as a data-access error on one attribute.
     */
    public boolean isConnectionLost() {
        return true;
    }
}
