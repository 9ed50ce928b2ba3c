package io.dlmsgateway.dlms.client;

import java.time.Duration;

/** The meter did not complete its reply in time. The connection is closed: a late reply would be misread. */
public final class DlmsTimeoutException extends DlmsException {

    private static final long serialVersionUID = 1L;

    public DlmsTimeoutException(String meter, String request, Duration timeout) {
        super(meter, "no reply to " + request + " within " + timeout.toMillis() + " ms");
    }
}
