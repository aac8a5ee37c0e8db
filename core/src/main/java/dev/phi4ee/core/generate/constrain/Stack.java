package dev.phi4ee.core.generate.constrain;

import java.util.Objects;

/** An immutable parse stack (a linked list sharing its tail), hashed once. {@link #EMPTY}: the document is complete. */
final class Stack {
    static final Stack EMPTY = new Stack(null, null);

    final Frame top;
    final Stack parent;
    final int depth;
    private final int hash;

    private Stack(Frame top, Stack parent) {
        this.top = top;
        this.parent = parent;
        this.depth = parent == null ? 0 : parent.depth + 1;
        this.hash = parent == null ? 0 : 31 * parent.hash + top.hashCode();
    }

    Stack push(Frame frame) {
        return new Stack(Objects.requireNonNull(frame), this);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Stack s) || s.hash != hash || s.depth != depth) {
            return false;
        }
        Stack a = this;
        Stack b = s;
        while (a != b) {
            if (!a.top.equals(b.top)) {
                return false;
            }
            a = a.parent;
            b = b.parent;
        }
        return true;
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
