package dev.phi4ee.core.generate.constrain;

import dev.phi4ee.core.generate.constrain.Frame.ArrF;
import dev.phi4ee.core.generate.constrain.Frame.LitF;
import dev.phi4ee.core.generate.constrain.Frame.MapF;
import dev.phi4ee.core.generate.constrain.Frame.NumF;
import dev.phi4ee.core.generate.constrain.Frame.ObjF;
import dev.phi4ee.core.generate.constrain.Frame.SeqF;
import dev.phi4ee.core.generate.constrain.Frame.SpecialF;
import dev.phi4ee.core.generate.constrain.Frame.StrF;
import java.util.Set;

/**
 * The pushdown automaton's moves over parse stacks. {@link #expand} opens a node until a terminal is on top (every
 * alternative is a separate stack: the grammar may be ambiguous); {@link #step} lets the top terminal take one symbol (a
 * byte, or a special token's symbol above 255) and, when it ends, resumes the structure below it. Only productive nodes
 * are opened, so every stack produced can still complete; stacks deeper than {@link #MAX_DEPTH} are dropped.
 */
final class ParseStep {
    /** Nesting bound (frames): keeps free-form JSON and recursive schemas finite. */
    static final int MAX_DEPTH = 200;

    private static final Node.Lit OPEN_OBJECT = productive(Node.Lit.of("{"));
    private static final Node.Lit CLOSE_OBJECT = productive(Node.Lit.of("}"));
    private static final Node.Lit OPEN_ARRAY = productive(Node.Lit.of("["));
    private static final Node.Lit CLOSE_ARRAY = productive(Node.Lit.of("]"));

    private ParseStep() {}

    private static Node.Lit productive(Node.Lit lit) {
        lit.productive = true;
        return lit;
    }

    /** Adds to {@code out} the stacks that begin matching {@code node} above {@code parent}. */
    static void expand(Node node, Stack parent, Set<Stack> out) {
        if (!node.productive || parent.depth >= MAX_DEPTH) {
            return;
        }
        switch (node) {
            case Node.Lit l -> out.add(parent.push(new LitF(l, 0)));
            case Node.Special s -> out.add(parent.push(new SpecialF(s)));
            case Node.Str s -> out.add(parent.push(new StrF(s, StringMatcher.OPEN, 0, 0, 0, 0, 0)));
            case Node.Num n -> out.add(parent.push(new NumF(n, n.rule.canonical(""))));
            case Node.Seq q -> expandSeq(q, 0, parent, out);
            case Node.Alt a -> {
                for (Node option : a.options) {
                    expand(option, parent, out);
                }
            }
            case Node.Ref r -> expand(r.body, parent, out);
            case Node.Obj o -> expand(OPEN_OBJECT, parent.push(new ObjF(o, 0, false)), out);
            case Node.Arr a -> expand(OPEN_ARRAY, parent.push(new ArrF(a, 0)), out);
            case Node.Map m -> expand(OPEN_OBJECT, parent.push(new MapF(m, false)), out);
        }
    }

    private static void expandSeq(Node.Seq q, int i, Stack parent, Set<Stack> out) {
        if (i == q.parts.length - 1) {
            expand(q.parts[i], parent, out);
        } else {
            expand(q.parts[i], parent.push(new SeqF(q, i + 1)), out);
        }
    }

    /** The structure on top of {@code s} gets control back after its child ended. */
    static void resume(Stack s, Set<Stack> out) {
        if (s == Stack.EMPTY) {
            out.add(s);
            return;
        }
        Stack parent = s.parent;
        switch (s.top) {
            case SeqF f -> expandSeq(f.node(), f.next(), parent, out);
            case ObjF f -> {
                Node.Obj o = f.node();
                int j = f.next();
                for (; j < o.values.length; j++) {
                    expand(f.any() ? o.next[j] : o.first[j], parent.push(new ObjF(o, j + 1, true)), out);
                    if (o.required[j]) {
                        break;
                    }
                }
                if (j == o.values.length) {
                    expand(CLOSE_OBJECT, parent, out);
                }
            }
            case ArrF f -> {
                Node.Arr a = f.node();
                int count = f.count();
                Node item = a.item(count);
                if ((a.max < 0 || count < a.max) && item != null) {
                    int cap = a.max >= 0 ? a.max : Math.max(1, Math.max(a.min, a.prefix.length));
                    expand(a.itemNode(count), parent.push(new ArrF(a, Math.min(count + 1, cap))), out);
                }
                if (count >= a.min) {
                    expand(CLOSE_ARRAY, parent, out);
                }
            }
            case MapF f -> {
                Node.Map m = f.node();
                expand(f.any() ? m.next : m.first, parent.push(new MapF(m, true)), out);
                expand(CLOSE_OBJECT, parent, out);
            }
            default -> throw new IllegalStateException("a terminal cannot resume: " + s.top);
        }
    }

    /** Adds to {@code out} the stacks after the terminal on top of {@code s} takes {@code symbol}. */
    static void step(Stack s, int symbol, Set<Stack> out) {
        if (s == Stack.EMPTY) {
            return;
        }
        Stack parent = s.parent;
        switch (s.top) {
            case LitF f -> {
                byte[] bytes = f.node().bytes;
                if (symbol == (bytes[f.pos()] & 0xFF)) {
                    if (f.pos() + 1 == bytes.length) {
                        resume(parent, out);
                    } else {
                        out.add(parent.push(new LitF(f.node(), f.pos() + 1)));
                    }
                }
            }
            case SpecialF f -> {
                if (symbol == f.node().symbol) {
                    resume(parent, out);
                }
            }
            case StrF f -> {
                if (symbol > 0xFF) {
                    return;
                }
                StrF next = StringMatcher.step(f, symbol);
                if (next == StringMatcher.CLOSED) {
                    resume(parent, out);
                } else if (next != null) {
                    out.add(parent.push(next));
                }
            }
            case NumF f -> {
                if (symbol > 0xFF) {
                    return;
                }
                NumberRule rule = f.node().rule;
                String text = rule.advance(f.text(), symbol);
                if (text != null) {
                    if (rule.canGrow(text)) {
                        out.add(parent.push(new NumF(f.node(), text)));
                    }
                    if (rule.accepting(text)) {
                        resume(parent, out); // a number has no end mark: it may also end here
                    }
                }
            }
            default -> throw new IllegalStateException("a structure cannot take a symbol: " + s.top);
        }
    }
}
