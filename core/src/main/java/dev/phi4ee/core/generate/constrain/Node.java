package dev.phi4ee.core.generate.constrain;

import java.nio.charset.StandardCharsets;

/**
 * A node of a compiled grammar: byte-level terminals ({@link Lit}, {@link Str}, {@link Num}, {@link Special}) and the
 * structures built from them. Nodes compare by identity (frames hold them; a recursive schema makes them cyclic through
 * {@link Ref}). {@link #productive} is settled by the compiler: whether the node derives at least one finite text.
 */
abstract sealed class Node
        permits Node.Lit, Node.Special, Node.Str, Node.Num, Node.Seq, Node.Alt, Node.Ref, Node.Obj, Node.Arr, Node.Map {
    boolean productive;

    /** Fixed bytes, at least one. */
    static final class Lit extends Node {
        final byte[] bytes;

        Lit(byte[] bytes) {
            if (bytes.length == 0) {
                throw new IllegalArgumentException("empty literal");
            }
            this.bytes = bytes;
        }

        static Lit of(String text) {
            return new Lit(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Lit[" + new String(bytes, StandardCharsets.UTF_8) + "]";
        }
    }

    /** One control token of the model (a symbol above the byte range, e.g. {@code <|tool_call|>}). */
    static final class Special extends Node {
        final int symbol;

        Special(int symbol) {
            this.symbol = symbol;
        }
    }

    /** A JSON string (quotes included) whose value satisfies {@link StringRule}. */
    static final class Str extends Node {
        final StringRule rule;

        Str(StringRule rule) {
            this.rule = rule;
        }
    }

    /** A JSON number satisfying {@link NumberRule}. */
    static final class Num extends Node {
        final NumberRule rule;

        Num(NumberRule rule) {
            this.rule = rule;
        }
    }

    static final class Seq extends Node {
        final Node[] parts;

        Seq(Node... parts) {
            this.parts = parts;
        }
    }

    static final class Alt extends Node {
        final Node[] options;

        Alt(Node... options) {
            this.options = options;
        }
    }

    /** A named rule ({@code $ref} target); {@link #body} is set once compiled, so rules may be recursive. */
    static final class Ref extends Node {
        final String pointer;
        Node body;

        Ref(String pointer) {
            this.pointer = pointer;
        }
    }

    /**
     * An object with declared properties, generated in declared order; the required ones always, the others may be
     * left out. {@code first[i]} is {@code "key":value}, {@code next[i]} the same after a comma.
     */
    static final class Obj extends Node {
        final Node[] first;
        final Node[] next;
        final Node[] values;
        final boolean[] required;

        Obj(String[] keys, Node[] values, boolean[] required) {
            this.values = values;
            this.required = required;
            this.first = new Node[keys.length];
            this.next = new Node[keys.length];
            for (int i = 0; i < keys.length; i++) {
                String key = Json.quote(keys[i]) + ":";
                first[i] = new Seq(Lit.of(key), values[i]);
                next[i] = new Seq(Lit.of("," + key), values[i]);
            }
        }
    }

    /**
     * An array: item {@code i} is {@code prefix[i]} while there is one, then {@code items} (null: no more items);
     * between {@code min} and {@code max} items ({@code max} -1: unbounded).
     */
    static final class Arr extends Node {
        final Node[] prefix;
        final Node items;
        final int min;
        final int max;
        final Node[] firstItem;
        final Node[] nextItem;

        Arr(Node[] prefix, Node items, int min, int max) {
            this.prefix = prefix;
            this.items = items;
            this.min = min;
            this.max = max;
            int kinds = prefix.length + 1;
            firstItem = new Node[kinds];
            nextItem = new Node[kinds];
            for (int i = 0; i < kinds; i++) {
                Node item = i < prefix.length ? prefix[i] : items;
                if (item != null) {
                    firstItem[i] = item;
                    nextItem[i] = new Seq(Lit.of(","), item);
                }
            }
        }

        /** The item schema at index {@code i}, null when there can be none. */
        Node item(int i) {
            return i < prefix.length ? prefix[i] : items;
        }

        /** {@code item(i)}, after a comma when {@code i > 0}. */
        Node itemNode(int i) {
            int k = Math.min(i, prefix.length);
            return i == 0 ? firstItem[k] : nextItem[k];
        }
    }

    /** An object with any keys (JSON mode): {@code "key":value} pairs, values of {@link #value}. */
    static final class Map extends Node {
        final Node value;
        final Node first;
        final Node next;

        Map(Node value) {
            this.value = value;
            Node key = new Str(StringRule.ANY);
            key.productive = true;
            first = new Seq(key, Lit.of(":"), value);
            next = new Seq(Lit.of(","), key, Lit.of(":"), value);
        }
    }
}
