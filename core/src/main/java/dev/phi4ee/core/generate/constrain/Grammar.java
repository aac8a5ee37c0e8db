package dev.phi4ee.core.generate.constrain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A compiled constraint: the root node of a byte-level grammar plus the control tokens it uses as symbols (symbol
 * {@code 256 + i} is {@code specialTokens[i]}, resolved to ids by each engine's tokenizer). Independent of any
 * vocabulary, immutable once made, shared through {@link SchemaCompiler}'s cache.
 */
public final class Grammar {
    final Node root;
    final List<String> specialTokens;
    /**
     * When not null, decoding is free until the model chooses this control token, and the grammar (which starts with
     * it) constrains what follows: OpenAI's {@code auto} tool choice.
     */
    final String trigger;

    private final String description;

    Grammar(Node root, List<String> specialTokens, String trigger, String description) {
        this.root = root;
        this.specialTokens = List.copyOf(specialTokens);
        this.trigger = trigger;
        this.description = description;
        settleProductive(root);
    }

    /** Number of symbols: the 256 byte values plus the special tokens. */
    int symbols() {
        return 256 + specialTokens.size();
    }

    @Override
    public String toString() {
        return "Grammar[" + description + "]";
    }

    /** Every node reachable from {@code root}. */
    static List<Node> nodes(Node root) {
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Node> out = new ArrayList<>();
        Deque<Node> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            if (n == null || !seen.add(n)) {
                continue;
            }
            out.add(n);
            children(n).forEach(todo::push);
        }
        return out;
    }

    private static List<Node> children(Node n) {
        List<Node> c = new ArrayList<>();
        switch (n) {
            case Node.Seq q -> c.addAll(List.of(q.parts));
            case Node.Alt a -> c.addAll(List.of(a.options));
            case Node.Ref r -> c.add(r.body);
            case Node.Obj o -> {
                c.addAll(List.of(o.values));
                c.addAll(List.of(o.first));
                c.addAll(List.of(o.next));
            }
            case Node.Arr a -> {
                c.addAll(List.of(a.prefix));
                c.add(a.items);
                for (Node x : a.firstItem) {
                    c.add(x);
                }
                for (Node x : a.nextItem) {
                    c.add(x);
                }
            }
            case Node.Map m -> {
                c.add(m.value);
                c.add(m.first);
                c.add(m.next);
            }
            default -> {}
        }
        c.removeIf(x -> x == null);
        return c;
    }

    /** Least fixpoint of "derives a finite text" over all nodes (recursive rules included). */
    private static void settleProductive(Node root) {
        List<Node> all = nodes(root);
        all.forEach(n -> n.productive = false);
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Node n : all) {
                if (!n.productive && derivesText(n)) {
                    n.productive = true;
                    changed = true;
                }
            }
        }
    }

    private static boolean derivesText(Node n) {
        return switch (n) {
            case Node.Lit l -> true;
            case Node.Special s -> true;
            case Node.Str s -> s.rule.satisfiable();
            case Node.Num x -> x.rule.satisfiable();
            case Node.Seq q -> {
                for (Node p : q.parts) {
                    if (!p.productive) {
                        yield false;
                    }
                }
                yield true;
            }
            case Node.Alt a -> {
                for (Node p : a.options) {
                    if (p.productive) {
                        yield true;
                    }
                }
                yield false;
            }
            case Node.Ref r -> r.body.productive;
            case Node.Obj o -> {
                for (int i = 0; i < o.values.length; i++) {
                    if (o.required[i] && !o.values[i].productive) {
                        yield false;
                    }
                }
                yield true;
            }
            case Node.Arr a -> {
                for (int i = 0; i < a.min; i++) {
                    Node item = a.item(i);
                    if (item == null || !item.productive) {
                        yield false;
                    }
                    if (i >= a.prefix.length) {
                        break; // the rest repeat the same item
                    }
                }
                yield a.max < 0 || a.max >= a.min;
            }
            case Node.Map m -> true;
        };
    }

    boolean satisfiable() {
        return root.productive;
    }
}
