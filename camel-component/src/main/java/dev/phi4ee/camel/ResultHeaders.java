package dev.phi4ee.camel;

import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Timings;
import dev.phi4ee.core.api.TokenUsage;
import org.apache.camel.Message;

/** The result headers of a generation (finish reason, token usage, timings), as every producer mode sets them. */
final class ResultHeaders {
    private ResultHeaders() {}

    static void write(Message message, GenerationResult result) {
        message.setHeader(Phi4Constants.RESULT, result);
        message.setHeader(Phi4Constants.FINISH_REASON, result.finishReason());
        TokenUsage usage = result.usage();
        if (usage != null) {
            message.setHeader(Phi4Constants.TOKEN_USAGE, usage);
            message.setHeader(Phi4Constants.PROMPT_TOKENS, usage.promptTokens());
            message.setHeader(Phi4Constants.GENERATED_TOKENS, usage.generatedTokens());
            message.setHeader(Phi4Constants.TOTAL_TOKENS, usage.totalTokens());
        }
        Timings timings = result.timings();
        if (timings != null) {
            message.setHeader(Phi4Constants.TIMINGS, timings);
            if (timings.timeToFirstToken() != null) {
                message.setHeader(
                        Phi4Constants.TIME_TO_FIRST_TOKEN,
                        timings.timeToFirstToken().toMillis());
            }
            if (timings.total() != null) {
                message.setHeader(Phi4Constants.TOTAL_TIME, timings.total().toMillis());
            }
        }
    }
}
