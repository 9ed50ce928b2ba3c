package io.dlmsgateway.thingsboard.internal;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable copy of the announced devices, name to type ({@code null} for none), in announcement order, for
 * readers on any thread. Two arrays and an open-addressing index: 16 to 24 bytes a device, where a
 * {@code LinkedHashMap} copy kept an entry of 40 bytes and its table slot for every device of the fleet.
 */
final class DeviceSnapshot extends AbstractMap<String, String> {

    static final DeviceSnapshot EMPTY = new DeviceSnapshot(Map.of());

    private final String[] names;
    private final String[] types;
    /** Position + 1 of the name hashed to each slot, 0 for a free one; a power of two, at most half full. */
    private final int[] index;
    private final Set<Map.Entry<String, String>> entries = new Entries();

    /** A copy of {@code devices} in its iteration order; a type of {@link DeviceAnnouncer#NO_TYPE} becomes null. */
    DeviceSnapshot(Map<String, String> devices) {
        int n = devices.size();
        names = new String[n];
        types = new String[n];
        index = new int[Integer.highestOneBit(Math.max(1, n) * 2) * 2];
        int i = 0;
        for (Map.Entry<String, String> device : devices.entrySet()) {
            names[i] = device.getKey();
            types[i] = DeviceAnnouncer.NO_TYPE.equals(device.getValue()) ? null : device.getValue();
            int slot = slot(device.getKey());
            while (index[slot] != 0) {
                slot = (slot + 1) & (index.length - 1);
            }
            index[slot] = ++i;
        }
    }

    private int slot(Object name) {
        int h = name.hashCode();
        return (h ^ (h >>> 16)) & (index.length - 1);
    }

    /** Position of {@code name}, or -1. */
    private int position(Object name) {
        if (!(name instanceof String)) {
            return -1;
        }
        for (int slot = slot(name); index[slot] != 0; slot = (slot + 1) & (index.length - 1)) {
            int p = index[slot] - 1;
            if (names[p].equals(name)) {
                return p;
            }
        }
        return -1;
    }

    @Override
    public int size() {
        return names.length;
    }

    @Override
    public boolean containsKey(Object name) {
        return position(name) >= 0;
    }

    @Override
    public String get(Object name) {
        int p = position(name);
        return p < 0 ? null : types[p];
    }

    @Override
    public Set<Map.Entry<String, String>> entrySet() {
        return entries;
    }

    private final class Entries extends AbstractSet<Map.Entry<String, String>> {
        @Override
        public int size() {
            return names.length;
        }

        @Override
        public Iterator<Map.Entry<String, String>> iterator() {
            return new Iterator<>() {
                private int next;

                @Override
                public boolean hasNext() {
                    return next < names.length;
                }

                @Override
                public Map.Entry<String, String> next() {
                    if (next >= names.length) {
                        throw new NoSuchElementException();
                    }
                    int p = next++;
                    return new AbstractMap.SimpleImmutableEntry<>(names[p], types[p]);
                }
            };
        }
    }
}
