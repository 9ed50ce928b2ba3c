package io.dlmsgateway.dlms.client;

/**
 * The meter sent something this client cannot accept: an exception-response, a confirmed-service-error, a malformed
 * or unexpected frame. A malformed stream closes the connection; a service error on a well-formed reply (say, a meter
 * refusing GET-with-list) leaves the association usable, as {@link #isConnectionLost()} tells.
 */
public final class DlmsProtocolException extends DlmsException {

    private static final long serialVersionUID = 1L;

    private final boolean connectionLost;

    public DlmsProtocolException(String meter, String message, Throwable cause, boolean connectionLost) {
        super(meter, message, cause);
        this.connectionLost = connectionLost;
    }

    @Override
    public boolean isConnectionLost() {
        return connectionLost;
    }
}
