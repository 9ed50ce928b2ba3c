package io.dlmsgateway.dlms.client;

import io.dlmsgateway.dlms.ObisCode;

/**
 * The meter answered a GET with a data-access-result other than success, e.g. {@code object-undefined} for an OBIS
 * code the meter does not have. The association stays usable.
 */
public final class DlmsAccessException extends DlmsException {

    private static final long serialVersionUID = 1L;

    private final ObisCode obis;
    private final int classId;
    private final int attributeIndex;
    private final int result;

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
        super(meter, service + " " + obis + " class " + classId + ("ACTION".equals(service) ? " method " : " attribute ")
                + attributeIndex + " refused: " + DataAccessResults.describe(result) + " ("
                + ("ACTION".equals(service) ? "action-result " : "data-access-result ") + result + ")"
                + (cause == null ? "" : "; the meter answered: " + cause.getMessage()), cause);
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

    public int attributeIndex() {
        return attributeIndex;
    }

    /** The data-access-result code of IEC 62056-5-3 (e.g. 4 object-undefined, 3 read-write-denied). */
    public int result() {
        return result;
    }

    /** The standard's name of {@link #result()}: {@code object-undefined}, {@code read-write-denied}, ... */
    public String resultName() {
        return DataAccessResults.name(result);
    }

    @Override
    public boolean isConnectionLost() {
        return false;
    }
}
