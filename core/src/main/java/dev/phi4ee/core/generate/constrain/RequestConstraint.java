package dev.phi4ee.core.generate.constrain;

/**
 * A request's {@link DecodingConstraint} bound to the tables of the engine that serves it: what a decode row needs to
 * set up constrained decoding.
 */
public final class RequestConstraint {
    private final DecodingConstraint constraint;
    private final ConstraintTables tables;

    RequestConstraint(DecodingConstraint constraint, ConstraintTables tables) {
        this.constraint = constraint;
        this.tables = tables;
    }

    /** A new decoder at the start of the grammar, or null when the request has no grammar. */
    public ConstrainedDecoder newDecoder() {
        return tables.newDecoder(constraint);
    }

    /** Ids never generated for this request (banned control tokens). */
    public int[] bannedIds() {
        return tables.bannedIds(constraint);
    }

    /** Whether tool calls are parsed from the result's text. */
    public boolean toolCalls() {
        return constraint.toolCalls();
    }
}
