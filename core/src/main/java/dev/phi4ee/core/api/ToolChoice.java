package dev.phi4ee.core.api;

import java.util.Objects;

/**
 * Whether and which tool the model calls (OpenAI's {@code tool_choice}). {@link Mode#AUTO}: the model decides; a call
 * it starts ({@code <|tool_call|>}) is constrained to the tools' schemas. {@link Mode#NONE}: the call token is never
 * generated. {@link Mode#REQUIRED}: the answer is one or more calls of the request's tools. {@link Mode#NAMED}: the
 * answer is calls of {@link #name()} only. Calls come back in {@link GenerationResult#toolCalls()}.
 *
 * @param mode the mode
 * @param name the tool for {@link Mode#NAMED}, else null
 */
public record ToolChoice(Mode mode, String name) {
    public enum Mode {
        AUTO,
        NONE,
        REQUIRED,
        NAMED
    }

    private static final ToolChoice AUTO = new ToolChoice(Mode.AUTO, null);
    private static final ToolChoice NONE = new ToolChoice(Mode.NONE, null);
    private static final ToolChoice REQUIRED = new ToolChoice(Mode.REQUIRED, null);

    public ToolChoice {
        Objects.requireNonNull(mode, "mode");
        if ((mode == Mode.NAMED) != (name != null)) {
            throw new InvalidInputException("a tool choice names a tool exactly when its mode is NAMED");
        }
    }

    public static ToolChoice auto() {
        return AUTO;
    }

    public static ToolChoice none() {
        return NONE;
    }

    public static ToolChoice required() {
        return REQUIRED;
    }

    public static ToolChoice named(String toolName) {
        return new ToolChoice(Mode.NAMED, Objects.requireNonNull(toolName, "toolName"));
    }
}
