package dev.phi4ee.openai;

import dev.phi4ee.core.api.GenerationRequest;

/**
 * A parsed {@code POST /v1/chat/completions}.
 *
 * @param request what the engine runs
 * @param stream answer as server-sent events
 * @param includeUsage {@code stream_options.include_usage}: a last chunk carries the usage
 * @param maxTokensGiven the caller bounded the completion; if not, the bound may be shortened to fit the context
 */
public record ChatCall(GenerationRequest request, boolean stream, boolean includeUsage, boolean maxTokensGiven) {}
