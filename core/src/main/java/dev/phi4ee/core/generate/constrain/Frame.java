package dev.phi4ee.core.generate.constrain;

/**
 * One entry of a parse stack: a terminal being matched (on top) or a structure waiting for its current child to end.
 * Immutable values: two stacks with equal frames are the same parse state. Nodes compare by identity.
 */
sealed interface Frame {
    /** {@code node.bytes[pos]} is the next byte. */
    record LitF(Node.Lit node, int pos) implements Frame {}

    record SpecialF(Node.Special node) implements Frame {}

    /**
     * A string: {@code phase} is one of the {@code StringMatcher} phases; {@code count} code points so far (clamped,
     * see {@link StringRule#clamp}); {@code dfa} the pattern state; {@code acc}/{@code pending}/{@code length} the
     * partial code point of a UTF-8 sequence or {@code \\u} escape (zero in other phases).
     */
    record StrF(Node.Str node, int phase, int count, int dfa, int acc, int pending, int length) implements Frame {}

    /** A number: its state text (see {@link NumberRule#canonical}). */
    record NumF(Node.Num node, String text) implements Frame {}

    /** A sequence: {@code next} is the part that follows the current one. */
    record SeqF(Node.Seq node, int next) implements Frame {}

    /** An object: {@code next} is the first property that may come next; {@code any}: one was written. */
    record ObjF(Node.Obj node, int next, boolean any) implements Frame {}

    /** An array with {@code count} items written (clamped where the count no longer matters). */
    record ArrF(Node.Arr node, int count) implements Frame {}

    /** A free-form object; {@code any}: a pair was written. */
    record MapF(Node.Map node, boolean any) implements Frame {}
}
