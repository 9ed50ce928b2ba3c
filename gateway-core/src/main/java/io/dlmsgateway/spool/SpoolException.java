package io.dlmsgateway.spool;

/** The spool's store failed or cannot be used: it cannot be opened, is in use, is closed, or a write failed. */
public class SpoolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SpoolException(String message) {
        super(message);
    }

    public SpoolException(String message, Throwable cause) {
        super(message, cause);
    }
}
