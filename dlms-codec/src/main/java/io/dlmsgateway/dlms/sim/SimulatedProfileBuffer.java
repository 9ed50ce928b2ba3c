package io.dlmsgateway.dlms.sim;

import gurux.dlms.GXByteBuffer;
import gurux.dlms.GXDateTime;
import gurux.dlms.enums.DataType;
import gurux.dlms.enums.ErrorCode;
import gurux.dlms.internal.GXCommon;
import io.dlmsgateway.dlms.CosemDateTime;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.ObisCode;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Answers a GET of a simulated profile's buffer (attribute 2), with or without selective access, by computing the
 * rows asked for from {@link SimulatedProfiles} and encoding them straight into A-XDR: no row is kept between
 * requests, so a meter's seven days of rows cost nothing while nobody reads them, and a read of 672 rows is one pass.
 *
 * <p>Selective access as IEC 62056-6-2 (Blue Book) defines it for class 7: selector 1, range: {restricting_object
 * (here only the clock, 8/0.0.1.0.0.255/2), from_value, to_value (date-times, both inclusive), selected_values
 * (capture object definitions; empty = all columns)}; selector 2, entry: {from_entry, to_entry (1-based, 0 = the
 * last), from_selected_value, to_selected_value (1-based columns, 0 = the last)}. A request the meter cannot serve is
 * answered with a data-access-result, as real meters do. Runs on the connection's event loop.
 */
final class SimulatedProfileBuffer {

    /** One of the simulated profiles, at one meter time: which entries it holds and how a row is encoded. */
    private interface Table {
        /** Rows held. */
        long size();

        /** Capture time of row {@code j} (0-based), epoch ms. */
        long time(long j);

        /** The first row captured at or after {@code epochMillis} (may be {@link #size()}). */
        long firstAtOrAfter(long epochMillis);

        /** The last row captured at or before {@code epochMillis} (may be -1). */
        long lastAtOrBefore(long epochMillis);

        int columns();

        /** Index of the clock column. */
        default int clockColumn() {
            return 0;
        }

        /** Appends column {@code c} (not the clock) of row {@code j}. */
        void value(GXByteBuffer out, long j, int c);

        /** Whether the rows after the first of a reply leave their clock out (null-data), as compressed profiles do. */
        boolean compressed();
    }

    private final SimulatorOptions options;
    private final int meterIndex;

    SimulatedProfileBuffer(SimulatorOptions options, int meterIndex) {
        this.options = options;
        this.meterIndex = meterIndex;
    }

    /** The result of a read: the encoded value, or the data-access-result refusing it. */
    record Answer(byte[] value, ErrorCode error) {
        static Answer refused(ErrorCode error) {
            return new Answer(new byte[0], error);
        }
    }

    Answer loadProfile(long nowMillis, int selector, Object parameters) {
        return answer(loadTable(nowMillis), new ObisCode[] {MeasurementCatalog.CLOCK, SimulatedProfiles.ENERGY,
                SimulatedProfiles.VOLTAGE}, new int[] {8, 3, 3}, selector, parameters);
    }

    Answer eventLog(long nowMillis, int selector, Object parameters) {
        return answer(eventTable(nowMillis), new ObisCode[] {MeasurementCatalog.CLOCK, SimulatedProfiles.EVENT_CODE},
                new int[] {8, 1}, selector, parameters);
    }

    /** Entries in use and capacity of the load profile: always full, the oldest row dropping as a new one comes. */
    long loadEntries() {
        return SimulatedProfiles.entries(options.profilePeriod(), options.profileHistory());
    }

    long eventEntriesInUse(long nowMillis) {
        return eventTable(nowMillis).size();
    }

    long eventEntries() {
        return SimulatedProfiles.eventEntries(options.profileHistory());
    }

    private Table loadTable(long nowMillis) {
        long period = options.profilePeriod().toMillis();
        long n = loadEntries();
        long last = Math.floorDiv(nowMillis, period) * period;
        long first = last - (n - 1) * period;
        boolean compressed = options.compressedProfile();
        return new Table() {
            public long size() {
                return n;
            }

            public long time(long j) {
                return first + j * period;
            }

            public long firstAtOrAfter(long t) {
                return t <= first ? 0 : Math.min(n, Math.floorDiv(t - first + period - 1, period));
            }

            public long lastAtOrBefore(long t) {
                return t < first ? -1 : Math.min(n - 1, Math.floorDiv(t - first, period));
            }

            public int columns() {
                return 3;
            }

            public void value(GXByteBuffer out, long j, int c) {
                Instant at = Instant.ofEpochMilli(time(j));
                if (c == 1) {
                    out.setUInt8(DataType.UINT32.getValue());
                    out.setUInt32(SimulatedProfiles.energyRaw(meterIndex, at));
                } else {
                    out.setUInt8(DataType.UINT16.getValue());
                    out.setUInt16((int) SimulatedProfiles.voltageRaw(meterIndex, at));
                }
            }

            public boolean compressed() {
                return compressed;
            }
        };
    }

    private Table eventTable(long nowMillis) {
        long kFirst = SimulatedProfiles.firstEventAfter(meterIndex, nowMillis - options.profileHistory().toMillis());
        long kLast = SimulatedProfiles.lastEventAtOrBefore(meterIndex, nowMillis);
        long n = Math.max(0, kLast - kFirst + 1);
        return new Table() {
            public long size() {
                return n;
            }

            public long time(long j) {
                return SimulatedProfiles.eventTime(meterIndex, kFirst + j).toEpochMilli();
            }

            public long firstAtOrAfter(long t) {
                long k = SimulatedProfiles.firstEventAfter(meterIndex, t - 1);
                return Math.max(0, Math.min(n, k - kFirst));
            }

            public long lastAtOrBefore(long t) {
                long k = SimulatedProfiles.lastEventAtOrBefore(meterIndex, t);
                return Math.max(-1, Math.min(n - 1, k - kFirst));
            }

            public int columns() {
                return 2;
            }

            public void value(GXByteBuffer out, long j, int c) {
                out.setUInt8(DataType.UINT8.getValue());
                out.setUInt8(SimulatedProfiles.eventCode(meterIndex, kFirst + j));
            }

            public boolean compressed() {
                return false; // an asynchronous profile has no period to derive a time from
            }
        };
    }

    private Answer answer(Table table, ObisCode[] lns, int[] classes, int selector, Object parameters) {
        long from;
        long to;
        int[] columns;
        switch (selector) {
            case 0 -> {
                from = 0;
                to = table.size() - 1;
                columns = all(table.columns());
            }
            case 1 -> {
                if (!options.rangeAccess()) {
                    // as older meters: selective access by range is not implemented
                    return Answer.refused(ErrorCode.OTHER_REASON);
                }
                if (!(parameters instanceof List<?> p) || p.size() != 4 || !(p.get(3) instanceof List<?> selected)) {
                    return Answer.refused(ErrorCode.UNMATCHED_TYPE);
                }
                if (!isClock(p.get(0))) {
                    return Answer.refused(ErrorCode.OTHER_REASON); // only the clock restricts a range here
                }
                Optional<Instant> fromTime = instant(p.get(1));
                Optional<Instant> toTime = instant(p.get(2));
                if (fromTime.isEmpty() || toTime.isEmpty()) {
                    return Answer.refused(ErrorCode.UNMATCHED_TYPE);
                }
                from = table.firstAtOrAfter(fromTime.get().toEpochMilli());
                to = table.lastAtOrBefore(toTime.get().toEpochMilli());
                columns = selected.isEmpty() ? all(table.columns()) : columns(selected, lns, classes);
                if (columns == null) {
                    return Answer.refused(ErrorCode.UNAVAILABLE_OBJECT);
                }
            }
            case 2 -> {
                if (!(parameters instanceof List<?> p) || p.size() != 4 || !(p.get(0) instanceof Number fromEntry)
                        || !(p.get(1) instanceof Number toEntry) || !(p.get(2) instanceof Number fromColumn)
                        || !(p.get(3) instanceof Number toColumn)) {
                    return Answer.refused(ErrorCode.UNMATCHED_TYPE);
                }
                long first = Math.max(1, fromEntry.longValue());
                long last = toEntry.longValue() == 0 ? table.size() : Math.min(table.size(), toEntry.longValue());
                from = first - 1;
                to = last - 1;
                int c0 = Math.max(1, fromColumn.intValue());
                int c1 = toColumn.intValue() == 0 ? table.columns() : toColumn.intValue();
                if (c1 > table.columns() || c0 > c1) {
                    return Answer.refused(ErrorCode.UNAVAILABLE_OBJECT);
                }
                columns = new int[c1 - c0 + 1];
                for (int i = 0; i < columns.length; i++) {
                    columns[i] = c0 - 1 + i;
                }
            }
            default -> {
                return Answer.refused(ErrorCode.OTHER_REASON);
            }
        }
        return new Answer(encode(table, from, to, columns), ErrorCode.OK);
    }

    private byte[] encode(Table table, long from, long to, int[] columns) {
        long count = Math.max(0, to - from + 1);
        int clock = table.clockColumn();
        GXByteBuffer out = new GXByteBuffer((int) Math.min(1 << 20, 8 + count * (columns.length * 6 + 16)));
        out.setUInt8(DataType.ARRAY.getValue());
        GXCommon.setObjectCount((int) count, out);
        for (long j = from; j <= to; j++) {
            out.setUInt8(DataType.STRUCTURE.getValue());
            GXCommon.setObjectCount(columns.length, out);
            for (int c : columns) {
                if (c != clock) {
                    table.value(out, j, c);
                } else if (table.compressed() && j != from) {
                    out.setUInt8(DataType.NONE.getValue());
                } else {
                    out.setUInt8(DataType.OCTET_STRING.getValue());
                    out.setUInt8(CosemDateTime.LENGTH);
                    out.set(CosemDateTime.of(Instant.ofEpochMilli(table.time(j)), options.utcOffset(),
                            options.deviationSign(), 0).encode());
                }
            }
        }
        return out.array();
    }

    private static int[] all(int n) {
        int[] columns = new int[n];
        for (int i = 0; i < n; i++) {
            columns[i] = i;
        }
        return columns;
    }

    /** The columns a range's selected_values name, or null when one names no column of this profile. */
    private static int[] columns(List<?> selected, ObisCode[] lns, int[] classes) {
        int[] out = new int[selected.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = -1;
            if (selected.get(i) instanceof List<?> def && def.size() == 4 && def.get(0) instanceof Number classId
                    && def.get(1) instanceof byte[] ln && def.get(2) instanceof Number attribute) {
                for (int c = 0; c < lns.length; c++) {
                    if (classes[c] == classId.intValue() && Arrays.equals(lns[c].toBytes(), ln)
                            && attribute.intValue() == 2) {
                        out[i] = c;
                    }
                }
            }
            if (out[i] < 0) {
                return null;
            }
        }
        return out;
    }

    private static boolean isClock(Object restricting) {
        return restricting instanceof List<?> r && r.size() == 4 && r.get(0) instanceof Number classId
                && classId.intValue() == 8 && r.get(1) instanceof byte[] ln
                && Arrays.equals(ln, MeasurementCatalog.CLOCK.toBytes()) && r.get(2) instanceof Number attribute
                && attribute.intValue() == 2;
    }

    /** A range bound as this meter reads it: its own deviation sign, its own offset when none is given. */
    private Optional<Instant> instant(Object bound) {
        byte[] octets = null;
        if (bound instanceof byte[] b && b.length == CosemDateTime.LENGTH) {
            octets = b;
        } else if (bound instanceof GXDateTime dt) {
            // a bound tagged date-time (0x19) rather than octet-string: Gurux decoded it; take its octets back
            GXByteBuffer bb = new GXByteBuffer();
            GXCommon.setData(null, bb, DataType.DATETIME, dt);
            byte[] all = bb.array();
            octets = Arrays.copyOfRange(all, all.length - CosemDateTime.LENGTH, all.length);
        }
        return octets == null ? Optional.empty()
                : CosemDateTime.decode(octets).toInstant(options.deviationSign(), options.utcOffset());
    }
}
