package io.dlmsgateway.dlms.client.internal;

import gurux.dlms.GXDLMSClient;
import gurux.dlms.GXDateTime;
import gurux.dlms.enums.ClockStatus;
import gurux.dlms.enums.DateTimeSkips;
import gurux.dlms.enums.ObjectType;
import gurux.dlms.objects.GXDLMSObject;
import gurux.dlms.objects.GXDLMSProfileGeneric;
import io.dlmsgateway.dlms.CosemDateTime;
import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.CaptureObject;
import io.dlmsgateway.dlms.client.DlmsProtocolException;
import io.dlmsgateway.dlms.client.ProfileColumn;
import io.dlmsgateway.dlms.client.ProfileRow;
import io.dlmsgateway.dlms.client.ProfileShape;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collections;
import java.util.GregorianCalendar;
import java.util.List;
import java.util.SimpleTimeZone;

/**
 * Reads a Profile Generic's replies (capture objects, buffer rows) as Gurux decoded them, and makes what Gurux needs
 * to ask for rows. Pure functions, no state: the connection keeps the shapes.
 *
 * <p>A reply that is not what the standard says (capture objects that are not {class, LN, attribute, data index},
 * rows that are not structures of the column count) is a {@link DlmsProtocolException} naming the meter and the
 * profile. The reply itself was well-formed DLMS, so the association stays usable.
 */
public final class ProfileBuffers {

    private static final int CLASS_REGISTER = 3;
    private static final int CLASS_EXTENDED_REGISTER = 4;
    private static final int CLASS_DEMAND_REGISTER = 5;
    private static final int CLASS_CLOCK = 8;

    private ProfileBuffers() {
    }

    /** Whether a capture object holds a register value that the register's scaler_unit applies to. */
    public static boolean isScaled(CaptureObject c) {
        return switch (c.classId()) {
            case CLASS_REGISTER, CLASS_EXTENDED_REGISTER -> c.attributeIndex() == 2;
            // current_average_value and last_average_value
            case CLASS_DEMAND_REGISTER -> c.attributeIndex() == 2 || c.attributeIndex() == 3;
            default -> false;
        };
    }

    /** The attribute holding the scaler_unit of a scaled capture object's register: 4 for a demand register. */
    public static int scalerUnitAttribute(CaptureObject c) {
        return c.classId() == CLASS_DEMAND_REGISTER ? 4 : 3;
    }

    /** Attribute 3 as Gurux decoded it: an array of {long-unsigned class_id, octet-string(6), integer, long-unsigned}. */
    public static List<CaptureObject> captureObjects(String meter, ObisCode profile, Object value) {
        if (!(value instanceof List<?> list)) {
            throw malformed(meter, profile, "capture_objects is not an array: " + describe(value));
        }
        List<CaptureObject> out = new ArrayList<>(list.size());
        for (Object o : list) {
            Long classId = null;
            Long attribute = null;
            Long dataIndex = null;
            byte[] ln = null;
            if (o instanceof List<?> s && s.size() == 4 && s.get(1) instanceof byte[] b && b.length == 6) {
                classId = CosemValues.exactLong(s.get(0));
                ln = b;
                attribute = CosemValues.exactLong(s.get(2));
                dataIndex = CosemValues.exactLong(s.get(3));
            }
            // long-unsigned, integer, long-unsigned: anything outside is not a capture object (and Gurux's 64-bit
            // numbers throw when narrowed)
            if (classId == null || classId < 0 || classId > 0xFFFF || attribute == null || attribute < -128
                    || attribute > 127 || dataIndex == null || dataIndex < 0 || dataIndex > 0xFFFF) {
                throw malformed(meter, profile, "capture object " + out.size()
                        + " is not {class_id, logical_name, attribute_index, data_index}: " + describe(o));
            }
            out.add(new CaptureObject(classId.intValue(), ObisCode.ofBytes(ln), attribute.intValue(),
                    dataIndex.intValue()));
        }
        return out;
    }

    /** The index of the first clock column, or -1. */
    public static int clockColumn(List<ProfileColumn> columns) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).source().isClock()) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The buffer (attribute 2) as Gurux decoded it, into rows: an array of structures of exactly the shape's column
     * count, else a {@link DlmsProtocolException}.
     */
    public static List<ProfileRow> rows(String meter, ProfileShape shape, Object value, DeviationSign sign,
            ZoneOffset whenUnspecified) {
        if (value == null) {
            return List.of(); // an empty selection: some meters answer null-data rather than an empty array
        }
        if (!(value instanceof List<?> list)) {
            throw malformed(meter, shape.profile(), "buffer is not an array of rows: " + describe(value));
        }
        List<ProfileColumn> columns = shape.columns();
        int clock = shape.clockColumn();
        long periodMillis = shape.capturePeriodSeconds() * 1000;
        List<ProfileRow> rows = new ArrayList<>(list.size());
        Instant previous = null;
        for (Object o : list) {
            if (!(o instanceof List<?> row && row.size() == columns.size())) {
                throw malformed(meter, shape.profile(), "buffer row " + rows.size() + " is not a structure of "
                        + columns.size() + " values: " + describe(o));
            }
            CosemDateTime dateTime = null;
            Instant time = null;
            boolean derived = false;
            if (clock >= 0) {
                Object raw = row.get(clock);
                if (raw instanceof byte[] octets && octets.length == CosemDateTime.LENGTH) {
                    dateTime = CosemDateTime.decode(octets);
                    time = dateTime.toInstant(sign, whenUnspecified).orElse(null);
                } else if (raw instanceof GXDateTime) {
                    // Gurux only types a date-time when a reply says so (a tagged date-time, which meters do not
                    // use in buffers); such a value cannot be trusted to keep what the meter sent
                    throw malformed(meter, shape.profile(), "buffer row " + rows.size()
                            + " has a typed date-time in its clock column");
                } else if (raw != null) {
                    throw malformed(meter, shape.profile(), "buffer row " + rows.size()
                            + " has no date-time in its clock column: " + describe(raw));
                }
                if (time == null && previous != null && periodMillis > 0) {
                    // a compressed profile leaves out the clock of rows captured on schedule
                    time = derive(previous, periodMillis);
                    derived = time != null;
                }
            }
            List<Object> values = new ArrayList<>(columns.size());
            for (int c = 0; c < columns.size(); c++) {
                Object raw = row.get(c);
                ProfileColumn column = columns.get(c);
                if (c == clock) {
                    values.add(time == null ? null : time.toString());
                } else if (raw == null || notFinite(raw)) {
                    values.add(null);
                } else if (column.scaled()) {
                    values.add(CosemValues.scale(raw, column.scaler()));
                } else {
                    values.add(CosemValues.plain(raw));
                }
            }
            rows.add(new ProfileRow(time, derived, dateTime, Collections.unmodifiableList(values)));
            previous = time;
        }
        return rows;
    }

    private static Instant derive(Instant previous, long periodMillis) {
        try {
            return previous.plusMillis(periodMillis);
        } catch (DateTimeException | ArithmeticException e) {
            return null;
        }
    }

    private static boolean notFinite(Object value) {
        return (value instanceof Double || value instanceof Float) && !Double.isFinite(((Number) value).doubleValue());
    }

    /**
     * The Gurux profile object a request for rows is made from: Gurux's row requests need the capture objects, and
     * restrict a range on the first one (or the sort object) being a clock.
     */
    public static GXDLMSProfileGeneric requestObject(ProfileShape shape) {
        GXDLMSProfileGeneric pg = new GXDLMSProfileGeneric(shape.profile().toString());
        for (ProfileColumn column : shape.columns()) {
            CaptureObject c = column.source();
            ObjectType type = ObjectType.forValue(c.classId());
            GXDLMSObject object = GXDLMSClient.createObject(type == null ? ObjectType.DATA : type);
            object.setLogicalName(c.obis().toString());
            pg.addCaptureObject(object, c.attributeIndex(), c.dataIndex());
        }
        if (shape.clockColumn() >= 0) {
            pg.setSortObject(pg.getCaptureObjects().get(shape.clockColumn()).getKey());
        }
        return pg;
    }

    /**
     * A Gurux date-time that Gurux writes as exactly these 12 octets: the fields as given, the deviation through a
     * fixed zone whose offset Gurux turns back into it (Gurux sends minus the zone's offset, as the Blue Book signs
     * it), the status as given. Gurux has no way to send raw octets as a range's bounds, so this is checked against
     * {@link CosemDateTime#encode()} by the tests.
     */
    public static GXDateTime toGurux(CosemDateTime dt) {
        if (dt.deviation() == CosemDateTime.DEVIATION_NOT_SPECIFIED || dt.year() == CosemDateTime.YEAR_NOT_SPECIFIED
                || dt.month() > 12 || dt.dayOfMonth() > 31 || dt.hour() > 23 || dt.minute() > 59 || dt.second() > 59
                || dt.hundredths() > 99 && dt.hundredths() != CosemDateTime.NOT_SPECIFIED) {
            throw new IllegalArgumentException("only a fully specified date-time can be sent: " + dt);
        }
        Calendar cal = new GregorianCalendar(new SimpleTimeZone(-dt.deviation() * 60_000, "meter"));
        cal.clear();
        cal.set(dt.year(), dt.month() - 1, dt.dayOfMonth(), dt.hour(), dt.minute(), dt.second());
        GXDateTime g = new GXDateTime(cal);
        if (dt.hundredths() == CosemDateTime.NOT_SPECIFIED) {
            g.getSkip().add(DateTimeSkips.MILLISECOND);
        } else {
            cal.set(Calendar.MILLISECOND, dt.hundredths() * 10);
        }
        if (dt.dayOfWeek() >= 1 && dt.dayOfWeek() <= 7) {
            g.setDayOfWeek(dt.dayOfWeek());
        }
        if (dt.clockStatus() == CosemDateTime.NOT_SPECIFIED) {
            g.getSkip().add(DateTimeSkips.STATUS);
        } else {
            g.setStatus(ClockStatus.forValue(dt.clockStatus()));
        }
        return g;
    }

    private static DlmsProtocolException malformed(String meter, ObisCode profile, String what) {
        return new DlmsProtocolException(meter, "profile " + profile + ": " + what, null, false);
    }

    /** A short description of a decoded value for an error message: never the whole of a large reply. */
    private static String describe(Object o) {
        if (o == null) {
            return "null-data";
        }
        if (o instanceof byte[] b) {
            return "octet-string of " + b.length + (b.length <= 16 ? " " + Arrays.toString(b) : "");
        }
        if (o instanceof List<?> l) {
            return "structure or array of " + l.size();
        }
        String s = o.getClass().getSimpleName() + " " + o;
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
