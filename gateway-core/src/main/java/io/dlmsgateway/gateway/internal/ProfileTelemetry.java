package io.dlmsgateway.gateway.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.CaptureObject;
import io.dlmsgateway.dlms.client.ProfileColumn;
import io.dlmsgateway.dlms.client.ProfileRow;
import io.dlmsgateway.dlms.client.ProfileShape;
import io.dlmsgateway.fleet.ProfileChunk;
import io.dlmsgateway.gateway.GatewayDevice;
import io.dlmsgateway.gateway.ValueTemplate;
import io.dlmsgateway.spool.SpoolRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns profile rows into ThingsBoard telemetry: one spool record per row, its timestamp the row's capture time (UTC
 * milliseconds), its values the row's columns under their keys, through the profile's mapping when the device has
 * one. Published like readings: {@code {"meter":[{"ts":<capture time>,"values":{...}}]}}.
 *
 * <p><b>Keys.</b> A column of a register the catalogue knows is named as the catalogue names it
 * ({@code active_energy}, {@code voltage_l1}), any other by its OBIS code ({@code 1.0.2.8.0.255}), or
 * {@code CLASS/OBIS/ATTRIBUTE} when two columns share an OBIS code; the clock column is {@code clock} and is left out
 * by default, since the row's timestamp carries it. A mapping ({@code timeseriesMapping} of the profile) renames and
 * selects as the device's own does.
 *
 * <p><b>Clock status.</b> A row whose clock the meter flagged invalid or doubtful is delivered all the same, with
 * {@link #CLOCK_STATUS_KEY} holding the status byte, so that ThingsBoard can tell it apart; a row with no time at all
 * (neither read nor derivable) has no place in a time series and is left out. The caller counts both.
 */
public final class ProfileTelemetry {

    /** The extra key of a row whose clock status says invalid or doubtful: the status byte as the meter sent it. */
    public static final String CLOCK_STATUS_KEY = "clockStatus";
    /** The clock column's key. */
    public static final String CLOCK_KEY = "clock";

    private final ObjectMapper json = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    /** What one chunk became. */
    public record Converted(List<SpoolRecord> records, long flagged, long withoutTime) {
    }

    /** The chunk's rows as spool records, in row order; rows without a time are left out and counted. */
    public Converted records(GatewayDevice device, ProfileChunk chunk) {
        ProfileShape shape = chunk.shape();
        List<String> keys = columnKeys(shape);
        Map<String, ValueTemplate> mapping = device == null ? Map.of()
                : device.profileMappings().getOrDefault(chunk.profile(), Map.of());
        List<SpoolRecord> records = new ArrayList<>(chunk.rows().size());
        long flagged = 0;
        long withoutTime = 0;
        for (ProfileRow row : chunk.rows()) {
            if (row.time() == null) {
                withoutTime++;
                continue;
            }
            Map<String, Object> values = values(device, shape, keys, mapping, row);
            if (row.clockUntrusted()) {
                flagged++;
                values.put(CLOCK_STATUS_KEY, row.dateTime().clockStatus());
            }
            try {
                records.add(new SpoolRecord(chunk.meter(), row.time().toEpochMilli(), json.writeValueAsBytes(values)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("profile row of " + chunk.meter() + " cannot be written", e);
            }
        }
        return new Converted(records, flagged, withoutTime);
    }

    /** The key of each column, in column order. */
    public static List<String> columnKeys(ProfileShape shape) {
        Set<ObisCode> seen = new HashSet<>();
        Set<ObisCode> twice = new HashSet<>();
        for (ProfileColumn column : shape.columns()) {
            if (!seen.add(column.source().obis())) {
                twice.add(column.source().obis());
            }
        }
        List<String> keys = new ArrayList<>(shape.columns().size());
        for (int i = 0; i < shape.columns().size(); i++) {
            CaptureObject source = shape.columns().get(i).source();
            keys.add(i == shape.clockColumn() ? CLOCK_KEY
                    : twice.contains(source.obis()) ? source.toString()
                    : catalogueName(source));
        }
        return keys;
    }

    private static String catalogueName(CaptureObject source) {
        for (Measurement m : MeasurementCatalog.standard()) {
            if (m.obis().equals(source.obis()) && m.attributeIndex() == source.attributeIndex()) {
                return m.name();
            }
        }
        return source.obis().toString();
    }

    /**
     * The column a placeholder names: by its key, else by its capture object's OBIS code or
     * {@code CLASS/OBIS/ATTRIBUTE}, so that a mapping may name a catalogue register either way; -1 for none.
     */
    private static int column(ProfileShape shape, List<String> keys, String name) {
        int i = keys.indexOf(name);
        if (i >= 0) {
            return i;
        }
        for (int c = 0; c < shape.columns().size(); c++) {
            CaptureObject source = shape.columns().get(c).source();
            if (source.obis().toString().equals(name) || source.toString().equals(name)) {
                return c;
            }
        }
        return -1;
    }

    private static Map<String, Object> values(GatewayDevice device, ProfileShape shape, List<String> keys,
            Map<String, ValueTemplate> mapping, ProfileRow row) {
        Map<String, Object> values = new LinkedHashMap<>();
        if (mapping.isEmpty()) {
            for (int i = 0; i < keys.size(); i++) {
                Object value = row.values().get(i);
                if (i != shape.clockColumn() && value != null) {
                    values.put(keys.get(i), value);
                }
            }
            return values;
        }
        Function<String, Object> lookup = name -> {
            if (TelemetryMapping.isDeviceField(name)) {
                return TelemetryMapping.deviceField(device, name);
            }
            int i = column(shape, keys, name);
            return i < 0 ? null : row.values().get(i);
        };
        mapping.forEach((key, template) -> {
            String single = template.singlePlaceholder();
            if (single != null) {
                Object value = lookup.apply(single);
                if (value != null) {
                    values.put(key, value);
                }
            } else if (template.placeholders().stream().allMatch(p -> lookup.apply(p) != null)) {
                values.put(key, template.render(lookup));
            }
        });
        return values;
    }
}
