package io.dlmsgateway.dlms.client.internal;

/**
 * Checks A-XDR encoded COSEM data for the two things Gurux's decoder does not bound: how deep it nests (Gurux recurses
 * once per level, so 30 000 nested arrays overflow the event loop's stack) and whether every element count and string
 * length it claims fits in the bytes that are there (Gurux allocates for the claim, then fails on a bare
 * {@code getUInt8}). Walks without recursion, in linear time, allocating one small stack of counters.
 *
 * <p>Types it does not know are left for Gurux to refuse: the walk stops there without complaint, since the length
 * of what follows is unknown.
 */
public final class AxdrBounds {

    /** Deepest nesting of arrays and structures accepted; COSEM objects nest a handful of levels. */
    public static final int MAX_DEPTH = 64;

    private static final int ARRAY = 1;
    private static final int STRUCTURE = 2;
    private static final int COMPACT_ARRAY = 19;

    private AxdrBounds() {
    }

    /**
     * Checks the data values in {@code data[from..to)}, one after another ({@code count} of them, or as many as there
     * are when {@code count} is negative).
     *
     * @return null when within bounds, else why not: "reply nests 30000 levels deep, more than 64",
     *         "array claims 65535 elements, only 3 bytes left"
     */
    public static String check(byte[] data, int from, int to, int count) {
        return check(data, from, to, count, false);
    }

    /**
     * As {@link #check(byte[], int, int, int)}; with {@code resultChoices} each top-level value is a
     * Get-Data-Result, preceded by its choice: 0 and the data, or 1 and a data-access-result byte.
     */
    public static String check(byte[] data, int from, int to, int count, boolean resultChoices) {
        // remaining[d]: elements still to read at depth d; depth 0 is the list of top-level values
        int[] remaining = new int[MAX_DEPTH + 2];
        remaining[0] = count < 0 ? Integer.MAX_VALUE : count;
        int depth = 0;
        int pos = from;
        while (true) {
            while (depth > 0 && remaining[depth] == 0) {
                depth--;
            }
            if (remaining[depth] == 0 || depth == 0 && count < 0 && pos >= to) {
                return null;
            }
            if (pos >= to) {
                return "data ends " + (to - from) + " bytes in, with elements still to come";
            }
            remaining[depth]--;
            if (depth == 0 && resultChoices) {
                int choice = data[pos++] & 0xFF;
                if (choice != 0) {
                    pos++; // data-access-result
                    continue;
                }
                if (pos >= to) {
                    return "data ends " + (to - from) + " bytes in, with elements still to come";
                }
            }
            int tag = data[pos++] & 0xFF;
            if (tag == ARRAY || tag == STRUCTURE) {
                long n = length(data, pos, to);
                if (n < 0) {
                    return "truncated element count";
                }
                pos += lengthSize(data[pos]);
                if (n > to - pos) {
                    return (tag == ARRAY ? "array" : "structure") + " claims " + n + " elements, only " + (to - pos)
                            + " bytes left";
                }
                if (depth == MAX_DEPTH) {
                    return "reply nests " + nesting(data, pos, to, depth + 1) + " levels deep, more than "
                            + MAX_DEPTH;
                }
                remaining[++depth] = (int) n;
                continue;
            }
            int size = fixedSize(tag);
            if (size >= 0) {
                if (size > to - pos) {
                    return "value of type " + tag + " needs " + size + " bytes, only " + (to - pos) + " left";
                }
                pos += size;
                continue;
            }
            switch (tag) {
                case 4, 9, 10, 12 -> { // bit-string (length in bits), octet-, visible-, utf8-string
                    long n = length(data, pos, to);
                    if (n < 0) {
                        return "truncated string length";
                    }
                    pos += lengthSize(data[pos]);
                    long bytes = tag == 4 ? (n + 7) / 8 : n;
                    if (bytes > to - pos) {
                        return (tag == 4 ? "bit-string" : "string") + " claims " + bytes + " bytes, only "
                                + (to - pos) + " left";
                    }
                    pos += (int) bytes;
                }
                case COMPACT_ARRAY -> {
                    // type description (it may nest too), then the contents as one length-prefixed block
                    long[] least = new long[1];
                    int end = skipTypeDescription(data, pos, to, depth + 1, least);
                    if (end < 0) {
                        return end == -2 ? "compact-array type nests more than " + MAX_DEPTH + " levels"
                                : "truncated compact-array type description";
                    }
                    if (least[0] == 0) {
                        // Gurux reads such rows without end: each takes no byte of the contents
                        return "compact-array of elements that take no bytes";
                    }
                    int description = pos;
                    pos = end;
                    long n = length(data, pos, to);
                    if (n < 0) {
                        return "truncated compact-array length";
                    }
                    pos += lengthSize(data[pos]);
                    if (n > to - pos) {
                        return "compact-array claims " + n + " bytes, only " + (to - pos) + " left";
                    }
                    // every element type, not only structures: a compact-array of octet-strings whose last string
                    // claims more bytes than are left holds Gurux in its row loop just the same (found by fuzzing)
                    String why = rows(data, description, pos, pos + (int) n);
                    if (why != null) {
                        return why;
                    }
                    pos += (int) n;
                }
                default -> {
                    return null; // unknown type: Gurux says what is wrong with it
                }
            }
        }
    }

    /**
     * Walks a compact-array row by row (a row: one element as its type description says, a structure or a single
     * value) and says why not when its rows do not fill its contents exactly.
     * Gurux reads rows while its position is short of the contents' end, and a row it cannot finish (the bytes run
     * out) still counts as read without moving on: a last row cut short holds it in that loop for good. Only the
     * types Gurux reads with a size of their own are accepted in the rows: fixed-size ones, and octet- and
     * visible-strings with their length; it would read any other (utf8, bit-string) to the end of the buffer.
     */
    private static String rows(byte[] data, int description, int from, int to) {
        // cursor[0]: where in the description, cursor[1]: where in the contents, cursor[2]: values visited
        int[] cursor = {description, from, 0};
        long budget = 16L * (to - from) + 1024; // values per row may take no byte (null-data): bound the walk
        while (cursor[1] < to) {
            cursor[0] = description;
            String why = value(data, cursor, to, 0, budget);
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    /** Consumes one value as the description at {@code cursor[0]} says (depth bounded by {@link #MAX_DEPTH}). */
    private static String value(byte[] data, int[] cursor, int to, int depth, long budget) {
        if (depth > MAX_DEPTH) {
            return "compact-array type nests more than " + MAX_DEPTH + " levels";
        }
        if (++cursor[2] > budget) {
            return "compact-array rows take more values than their bytes allow";
        }
        int tag = data[cursor[0]++] & 0xFF;
        if (tag == ARRAY) {
            int count = (data[cursor[0]] & 0xFF) << 8 | data[cursor[0] + 1] & 0xFF;
            if (count == 0) {
                // the Blue Book gives the element type even then; Gurux reads none, so the two part ways here
                return "compact-array type holds an array of no elements";
            }
            int element = cursor[0] + 2;
            for (int i = 0; i < count; i++) {
                cursor[0] = element;
                String why = value(data, cursor, to, depth + 1, budget);
                if (why != null) {
                    return why;
                }
            }
            return null;
        }
        if (tag == STRUCTURE) {
            long n = length(data, cursor[0], to);
            cursor[0] += lengthSize(data[cursor[0]]);
            for (long i = 0; i < n; i++) {
                String why = value(data, cursor, to, depth + 1, budget);
                if (why != null) {
                    return why;
                }
            }
            return null;
        }
        if (tag == 0) {
            // Gurux takes a null-data in the type description as "type not given" and reads a whole tagged value
            // from the contents for it (a compact-array in there held it in its row loop: found by fuzzing)
            return "compact-array type holds null-data, which Gurux reads as a tagged value";
        }
        int size = fixedSize(tag);
        if (size < 0 && tag != 9 && tag != 10) {
            return "compact-array of type " + tag + ", which has no size of its own in a row";
        }
        if (size < 0) {
            long n = length(data, cursor[1], to);
            if (n < 0) {
                return "compact-array row cut short in a string length";
            }
            cursor[1] += lengthSize(data[cursor[1]]);
            size = (int) Math.min(Integer.MAX_VALUE, n);
        }
        if (size > to - cursor[1]) {
            return "compact-array rows do not fill its contents: the last is cut short";
        }
        cursor[1] += size;
        return null;
    }

    /** How deep the nesting goes from here, following first elements that are themselves arrays or structures. */
    private static int nesting(byte[] data, int pos, int to, int depth) {
        while (pos < to) {
            int tag = data[pos] & 0xFF;
            if (tag != ARRAY && tag != STRUCTURE || pos + 1 >= to) {
                break;
            }
            depth++;
            pos += 1 + lengthSize(data[pos + 1]);
        }
        return depth;
    }

    /**
     * Skips a compact-array's type description (recursion bounded by {@link #MAX_DEPTH}).
     *
     * @param least out: [0] the fewest bytes one element so described takes
     * @return the index after the description, -1 when truncated, -2 when nested too deep
     */
    private static int skipTypeDescription(byte[] data, int pos, int to, int depth, long[] least) {
        if (depth > MAX_DEPTH) {
            return -2;
        }
        if (pos >= to) {
            return -1;
        }
        int tag = data[pos++] & 0xFF;
        if (tag == ARRAY) {
            if (pos + 2 > to) {
                return -1;
            }
            int count = (data[pos] & 0xFF) << 8 | data[pos + 1] & 0xFF;
            int end = skipTypeDescription(data, pos + 2, to, depth + 1, least);
            least[0] = Math.min(Integer.MAX_VALUE, least[0] * count);
            return end;
        }
        if (tag == STRUCTURE) {
            long n = length(data, pos, to);
            if (n < 0 || n > to - pos) {
                return -1;
            }
            pos += lengthSize(data[pos]);
            long sum = 0;
            for (long i = 0; i < n; i++) {
                pos = skipTypeDescription(data, pos, to, depth + 1, least);
                if (pos < 0) {
                    return pos;
                }
                sum = Math.min(Integer.MAX_VALUE, sum + least[0]);
            }
            least[0] = sum;
            return pos;
        }
        int size = fixedSize(tag);
        boolean string = tag == 4 || tag == 9 || tag == 10 || tag == 12;
        // strings take at least their length byte; a type unknown here counts as none, so it is refused
        least[0] = size >= 0 ? size : string ? 1 : 0;
        return pos;
    }

    /** Bytes of a value of a fixed-size type, or -1 for the others. */
    private static int fixedSize(int tag) {
        return switch (tag) {
            case 0, 255 -> 0;          // null-data, dont-care
            case 3, 13, 15, 17, 22 -> 1; // boolean, bcd, integer, unsigned, enum
            case 16, 18 -> 2;          // long, long-unsigned
            case 5, 6, 23, 27 -> 4;    // double-long, double-long-unsigned, float32, time
            case 20, 21, 24 -> 8;      // long64, long64-unsigned, float64
            case 25 -> 12;             // date-time
            case 26 -> 5;              // date
            default -> -1;
        };
    }

    /**
     * A-XDR length at {@code pos}: one byte up to 0x80, else 0x80 + n followed by n bytes; -1 when truncated. A lone
     * 0x80 (no length bytes, not valid A-XDR) is read as 128, as Gurux reads it: read as 0, an array that Gurux
     * decodes as 128 elements went unchecked (found by fuzzing).
     */
    static long length(byte[] data, int pos, int to) {
        if (pos >= to) {
            return -1;
        }
        int first = data[pos] & 0xFF;
        if (first <= 0x80) {
            return first;
        }
        int n = first & 0x7F;
        if (n > 4 || pos + 1 + n > to) {
            return -1;
        }
        long value = 0;
        for (int i = 1; i <= n; i++) {
            value = value << 8 | (data[pos + i] & 0xFF);
        }
        return value;
    }

    static int lengthSize(byte first) {
        int b = first & 0xFF;
        return b <= 0x80 ? 1 : 1 + (b & 0x7F);
    }
}
