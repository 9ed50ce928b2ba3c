package io.dlmsgateway.dlms.client;

/**
 * The meter refused the association: AARE with a result other than accepted, a failed HLS challenge, or an HDLC
 * SNRM refused with DM. Usually a configuration problem (client address, password, keys) rather than a network one.
 */
public final class AssociationRejectedException extends DlmsException {

    private static final long serialVersionUID = 1L;

    private final String result;
    private final String diagnostic;

    public AssociationRejectedException(String meter, String result, String diagnostic, Throwable cause) {
        super(meter, "association rejected: " + result + (diagnostic == null ? "" : ", diagnostic: " + diagnostic),
                cause);
        this.result = result;
        this.diagnostic = diagnostic;
    }

    /** The association result, e.g. {@code PERMANENT_REJECTED}. */
    public String result() {
        return result;
    }

    /** The source diagnostic, e.g. {@code AUTHENTICATION_FAILURE}; null when the meter gave none. */
    public String diagnostic() {
        return diagnostic;
    }
}
