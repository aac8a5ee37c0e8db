package dev.phi4ee.core.api;

/** Prompt tokens (media placeholders expanded) plus {@code maxNewTokens} do not fit the model's {@code max_length}. */
public class ContextLengthExceededException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    private final int promptTokens;
    private final int maxNewTokens;
    private final int maxLength;

    public ContextLengthExceededException(int promptTokens, int maxNewTokens, int maxLength) {
        this(promptTokens, maxNewTokens, maxLength, null);
    }

    /** @param howToGrow appended to the message: how a bigger window is obtained (option names), or null */
    public ContextLengthExceededException(int promptTokens, int maxNewTokens, int maxLength, String howToGrow) {
        super("prompt of " + promptTokens + " tokens + maxNewTokens " + maxNewTokens + " = "
                + ((long) promptTokens + maxNewTokens) + " exceeds the context window max_length " + maxLength
                + (howToGrow == null ? "" : "; " + howToGrow));
        this.promptTokens = promptTokens;
        this.maxNewTokens = maxNewTokens;
        this.maxLength = maxLength;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int maxNewTokens() {
        return maxNewTokens;
    }

    public int maxLength() {
        return maxLength;
    }
}
