package io.dlmsgateway.thingsboard;

/**
 * Signals from an RPC handler that it does not know the requested method; the reply is
 * {@code {"error":"Method not found","code":404}}, the answer of the ThingsBoard IoT Gateway.
 */
public final class RpcMethodNotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String method;

    public RpcMethodNotFoundException(String method) {
        super("Method not found: " + method, null, false, false);
        this.method = method;
    }

    public String method() {
        return method;
    }
}
