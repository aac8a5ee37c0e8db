package dev.phi4ee.core.text;

import java.util.Arrays;

/** A growable {@code int[]} without boxing, for token ids in hot paths. */
final class IntArrayBuilder {
    private int[] values;
    private int size;

    IntArrayBuilder(int initialCapacity) {
        values = new int[Math.max(8, initialCapacity)];
    }

    void add(int value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[size++] = value;
    }

    void addAll(int[] more) {
        ensure(size + more.length);
        System.arraycopy(more, 0, values, size, more.length);
        size += more.length;
    }

    void addRepeated(int value, int count) {
        ensure(size + count);
        Arrays.fill(values, size, size + count, value);
        size += count;
    }

    int size() {
        return size;
    }

    int[] toArray() {
        return Arrays.copyOf(values, size);
    }

    private void ensure(int capacity) {
        if (capacity > values.length) {
            values = Arrays.copyOf(values, Math.max(capacity, values.length * 2));
        }
    }
}
