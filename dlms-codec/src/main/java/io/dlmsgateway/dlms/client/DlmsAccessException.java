package io.dlmsgateway.dlms.client;

import io.dlmsgateway.dlms.ObisCode;

/**
 * The meter refused a GET or SET with a data-access-result other than success, e.g. {@code object-undefined} for an
 * OBIS code the meter does not have, or an ACTION with an action-result other than success, e.g.
 * {@code read-write-denied} for a client without the right. The association stays usable.
 */
public final class DlmsAccessException extends DlmsException {

    private static final long serialVersionUID = 1L;
    private static final String ACTION = "ACTION";

    private final ObisCode obis;
    private final int classId;
    private final int attributeIndex;
    private final int result;
    private final String service;

    public DlmsAccessException(String meter, ObisCode obis, int classId, int attributeIndex, int result) {
        this(meter, "GET", obis, classId, attributeIndex, result, null);
    }

    /**
     * A refusal that came as an exception-response or a confirmed-service-error rather than a data-access-result
     * (older meters refusing selective access do): {@code result} is then other-reason, and {@code cause} says what
     * the meter sent.
     */
    public DlmsAccessException(String meter, ObisCode obis, int classId, int attributeIndex, int result,
            Throwable cause) {
        this(meter, "GET", obis, classId, attributeIndex, result, cause);
    }

    /**
     * @param service {@code GET}, {@code SET} (data-access-result) or {@code ACTION} (action-result; then
     *                {@code attributeIndex} is the method's index)
     */
    public DlmsAccessException(String meter, String service, ObisCode obis, int classId, int attributeIndex,
            int result) {
        this(meter, service, obis, classId, attributeIndex, result, null);
    }

    private DlmsAccessException(String meter, String service, ObisCode obis, int classId, int attributeIndex,
            int result, Throwable cause) {
        super(meter, service + " " + obis + " class " + classId + (ACTION.equals(service) ? " method " : " attribute ")
                + attributeIndex + " refused: " + (ACTION.equals(service) ? DataAccessResults.describeAction(result)
                        : DataAccessResults.describe(result)) + " ("
                + (ACTION.equals(service) ? "action-result " : "data-access-result ") + result + ")"
                + (cause == null ? "" : "; the meter answered: " + cause.getMessage()), cause);
        this.service = service;
        this.obis = obis;
        this.classId = classId;
        this.attributeIndex = attributeIndex;
        this.result = result;
    }

    public ObisCode obis() {
        return obis;
    }

    public int classId() {
        return classId;
    }

    /** The attribute's index; for an ACTION, the method's. */
    public int attributeIndex() {
        return attributeIndex;
    }

    /** What was refused: {@code GET}, {@code SET} or {@code ACTION}. */
    public String service() {
        return service;
    }

    /**
     * The data-access-result code of IEC 62056-5-3 (e.g. 4 object-undefined, 3 read-write-denied); for an ACTION its
     * action-result code.
     */
    public int result() {
        return result;
    }

    /**
     * The standard's name of {@link #result()}: {@code object-undefined}, {@code read-write-denied}, ...; for an
     * ACTION the action-result's ({@code long-action-aborted} where a GET's 15 is {@code long-get-aborted}).
     */
    public String resultName() {
        return ACTION.equals(service) ? DataAccessResults.actionName(result) : DataAccessResults.name(result);
    }

    @Override
    public boolean isConnectionLost() {
        return false;
    }
}
