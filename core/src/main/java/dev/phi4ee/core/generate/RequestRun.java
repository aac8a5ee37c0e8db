package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.FinishReason;

/**
 * Decodes one request alone on a {@link DecodingSession} (growing-cache mode): the same per-request state machine
 * as a batch row ({@link BatchRow}: sampling, end tokens, stop strings, min/max new tokens, streaming, cancellation,
 * deadline, result), driven by a loop that owns the decoder and runs one batch-1 step per token.
 */
final class RequestRun {
    private RequestRun() {}

    /** Runs {@code request} to completion; its result or failure is delivered through the request. */
    static void run(
            EngineRequest request,
            DecodingSession session,
            GenerationIds ids,
            TextCodec.TextStream text,
            BatchRow.PromptStage stage) {
        FinishReason early = request.stopReason();
        if (early != null) {
            request.completeUnstarted(early);
            return;
        }
        BatchRow row = new BatchRow(request, session, null, ids, text);
        if (!row.prefill(stage)) {
            return;
        }
        while (row.accept(session.next((int) row.pending()))) {
            // accept() samples, streams and decides; the loop only feeds the chosen token back
        }
    }
}
