package io.dlmsgateway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.client.CaptureObject;
import io.dlmsgateway.dlms.client.ProfileRow;
import io.dlmsgateway.dlms.client.ProfileShape;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How {@code read --profile} prints rows: one JSON object per line
 * ({@code {"ts":1795996800000,"time":"2026-11-30T12:00:00Z","values":{"clock":"...","active_energy":1234},
 * "clockStatus":0}}) or CSV with a header. A column's key is its catalogue name when the captured object is in
 * {@link MeasurementCatalog#standard()}, {@code clock} for the clock column, else its OBIS code (its
 * {@code CLASS/OBIS/ATTRIBUTE} when two columns would share one).
 */
final class ProfileRowsOutput {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private ProfileRowsOutput() {
    }

    /** The keys of the shape's columns, in column order. */
    static List<String> keys(ProfileShape shape) {
        List<String> keys = new ArrayList<>(shape.columns().size());
        Set<String> used = new HashSet<>();
        for (int i = 0; i < shape.columns().size(); i++) {
            CaptureObject c = shape.columns().get(i).source();
            String key = i == shape.clockColumn() ? "clock" : catalogueName(c);
            if (key == null || !used.add(key)) {
                key = c.obis().toString();
                if (!used.add(key)) {
                    key = c.toString();
                    used.add(key);
                }
            }
            keys.add(key);
        }
        return keys;
    }

    private static String catalogueName(CaptureObject c) {
        for (Measurement m : MeasurementCatalog.standard()) {
            if (m.obis().equals(c.obis()) && m.classId() == c.classId() && m.attributeIndex() == c.attributeIndex()
                    && c.dataIndex() == 0) {
                return m.name();
            }
        }
        return null;
    }

    /** One JSON line per row. */
    static void jsonLines(ProfileShape shape, List<ProfileRow> rows, PrintWriter out) {
        List<String> keys = keys(shape);
        for (ProfileRow row : rows) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("ts", row.time() == null ? null : row.time().toEpochMilli());
            line.put("time", row.time() == null ? null : row.time().toString());
            Map<String, Object> values = new LinkedHashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                values.put(keys.get(i), row.values().get(i));
            }
            line.put("values", values);
            line.put("clockStatus", row.dateTime() == null ? null : row.dateTime().clockStatus());
            if (row.timeDerived()) {
                line.put("timeDerived", true);
            }
            try {
                out.println(JSON.writeValueAsString(line));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("row not serialisable: " + e.getMessage(), e);
            }
        }
    }

    /** A header (ts, time, the column keys, clockStatus, timeDerived) and one line per row. */
    static void csv(ProfileShape shape, List<ProfileRow> rows, PrintWriter out) {
        List<String> header = new ArrayList<>(List.of("ts", "time"));
        header.addAll(keys(shape));
        header.add("clockStatus");
        header.add("timeDerived");
        out.println(line(header));
        for (ProfileRow row : rows) {
            List<String> cells = new ArrayList<>(header.size());
            cells.add(row.time() == null ? "" : Long.toString(row.time().toEpochMilli()));
            cells.add(row.time() == null ? "" : row.time().toString());
            for (Object v : row.values()) {
                cells.add(v == null ? "" : v instanceof BigDecimal d ? d.toPlainString() : v.toString());
            }
            cells.add(row.dateTime() == null ? "" : Integer.toString(row.dateTime().clockStatus()));
            cells.add(Boolean.toString(row.timeDerived()));
            out.println(line(cells));
        }
    }

    private static String line(List<String> cells) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            String c = cells.get(i);
            if (c.indexOf(',') >= 0 || c.indexOf('"') >= 0 || c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0) {
                b.append('"').append(c.replace("\"", "\"\"")).append('"');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
