package io.dlmsgateway.thingsboard;

/**
 * Signals from an RPC handler that it refuses a request as asked, for a reason the caller can correct (too many
 * objects, a parameter of the wrong type or out of range). The reply is {@code {"error":"<reason>","code":400}}, and
 * nothing of the request was done.
 */
public final class RpcRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The HTTP-like code of the reply, as the ThingsBoard IoT Gateway answers a bad request. */
    public static final int CODE = 400;

    public RpcRefusedException(String reason) {
        // a refusal is an answer, not a failure of the gateway: no stack trace to fill or log
        super(reason, null, false, false);
    }
}
