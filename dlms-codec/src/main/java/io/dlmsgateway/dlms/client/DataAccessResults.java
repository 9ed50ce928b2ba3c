package io.dlmsgateway.dlms.client;

/**
 * Names of the data-access-result codes of IEC 62056-5-3 (GET, SET) and of its action-result codes (ACTION), as a
 * technician reads them in a trace. The one place that names them: {@link Refusal#resultName()} and
 * {@link DlmsAccessException#resultName()} both come from here.
 */
final class DataAccessResults {

    /** other-reason: what a refusal says when the meter gave no better one. */
    static final int OTHER_REASON = 250;

    private DataAccessResults() {
    }

    /** The standard's name of the result alone, e.g. {@code object-undefined}, as scripts match on it. */
    static String name(int result) {
        String described = describe(result);
        int explanation = described.indexOf(" (");
        return explanation < 0 ? described : described.substring(0, explanation);
    }

    /** The standard's name of an action-result alone, e.g. {@code read-write-denied}. */
    static String actionName(int result) {
        return switch (result) {
            case 0 -> "success";
            case 1 -> "hardware-fault";
            case 2 -> "temporary-failure";
            case 3 -> "read-write-denied";
            case 4 -> "object-undefined";
            case 9 -> "object-class-inconsistent";
            case 11 -> "object-unavailable";
            case 12 -> "type-unmatched";
            case 13 -> "scope-of-access-violated";
            case 14 -> "data-block-unavailable";
            case 15 -> "long-action-aborted";
            case 16 -> "no-long-action-in-progress";
            case 250 -> "other-reason";
            default -> "unknown result";
        };
    }

    /** {@link #actionName} with the same explanations as {@link #describe}. */
    static String describeAction(int result) {
        return result == 4 ? describe(4) : actionName(result);
    }

    static String describe(int result) {
        return switch (result) {
            case 0 -> "success";
            case 1 -> "hardware-fault";
            case 2 -> "temporary-failure";
            case 3 -> "read-write-denied";
            case 4 -> "object-undefined (the meter has no such object)";
            case 9 -> "object-class-inconsistent";
            case 11 -> "object-unavailable";
            case 12 -> "type-unmatched";
            case 13 -> "scope-of-access-violated";
            case 14 -> "data-block-unavailable";
            case 15 -> "long-get-aborted";
            case 16 -> "no-long-get-in-progress";
            case 17 -> "long-set-aborted";
            case 18 -> "no-long-set-in-progress";
            case 19 -> "data-block-number-invalid";
            case 250 -> "other-reason";
            default -> "unknown result";
        };
    }
}
