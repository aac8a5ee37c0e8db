package dev.phi4ee.camel;

import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.Timings;
import dev.phi4ee.core.api.TokenUsage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultAsyncProducer;
import org.apache.camel.support.builder.ExpressionBuilder;

/**
 * Submits the exchange to the engine and returns at once; the engine's future completes the exchange. No Camel
 * thread waits on a generation, so in-flight requests are bounded by the engine's queue, not by route threads.
 */
public class Phi4Producer extends DefaultAsyncProducer {

    private ExchangeRequestMapper mapper;
    private ProducerTemplate chunkTemplate;
    private ExecutorService chunkExecutor;
    private ExecutorService completionExecutor;

    public Phi4Producer(Phi4Endpoint endpoint) {
        super(endpoint);
    }

    @Override
    public Phi4Endpoint getEndpoint() {
        return (Phi4Endpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        Phi4Configuration configuration = getEndpoint().getConfiguration();
        mapper = new ExchangeRequestMapper(configuration, promptExpression(configuration.getPrompt()));
        // The route continues on the thread that completes the exchange: never the engine's own thread, which
        // would then wait for file writes or the next endpoint instead of decoding (Camel's default profile
        // runs a task in the caller when the pool is saturated).
        completionExecutor =
                getEndpoint().getCamelContext().getExecutorServiceManager().newDefaultThreadPool(this, "phi4-complete");
        if (configuration.isStreaming() && configuration.getStreamingEndpoint() != null) {
            chunkTemplate = getEndpoint().getCamelContext().createProducerTemplate();
            chunkTemplate.start();
            // Chunks leave the engine's decode thread at once; this pool delivers them, in order per request.
            chunkExecutor = getEndpoint()
                    .getCamelContext()
                    .getExecutorServiceManager()
                    .newDefaultThreadPool(this, "phi4-stream");
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (completionExecutor != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdown(completionExecutor);
            completionExecutor = null;
        }
        if (chunkExecutor != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdown(chunkExecutor);
            chunkExecutor = null;
        }
        if (chunkTemplate != null) {
            chunkTemplate.stop();
            chunkTemplate = null;
        }
        super.doStop();
    }

    private Expression promptExpression(String prompt) {
        if (prompt == null) {
            return null;
        }
        return prompt.contains("${") || prompt.contains("$simple{")
                ? getEndpoint().getCamelContext().resolveLanguage("simple").createExpression(prompt)
                : ExpressionBuilder.constantExpression(prompt);
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        CompletableFuture<GenerationResult> result;
        try {
            GenerationRequest request = mapper.toRequest(exchange);
            result = submit(exchange, request);
        } catch (RuntimeException e) {
            Phi4ExchangeException.fail(exchange, e);
            callback.done(true);
            return true;
        }
        Object originalBody = exchange.getMessage().getBody();
        result.whenCompleteAsync(
                (generated, error) -> {
                    if (error != null) {
                        Phi4ExchangeException.fail(exchange, error);
                    } else {
                        writeResult(exchange, generated, originalBody);
                    }
                    callback.done(false);
                },
                completionExecutor);
        return false;
    }

    private CompletableFuture<GenerationResult> submit(Exchange exchange, GenerationRequest request) {
        Phi4Engine engine = getEndpoint().engine();
        Phi4Configuration configuration = getEndpoint().getConfiguration();
        if (!configuration.isStreaming()) {
            return engine.generateAsync(request);
        }
        ChunkForwarder chunks = chunkTemplate == null
                ? ChunkForwarder.collecting()
                : ChunkForwarder.sendingTo(
                        chunkTemplate, configuration.getStreamingEndpoint(), exchange.getExchangeId(), chunkExecutor);
        CompletableFuture<GenerationResult> generated =
                engine.stream(request, chunks).result();
        return generated.thenCompose(r -> chunks.delivered().thenApply(count -> {
            exchange.getMessage().setHeader(Phi4Constants.CHUNK_COUNT, count);
            return r;
        }));
    }

    private void writeResult(Exchange exchange, GenerationResult result, Object originalBody) {
        var message = exchange.getMessage();
        if (getEndpoint().getConfiguration().isKeepOriginalBody()) {
            message.setHeader(Phi4Constants.ORIGINAL_BODY, originalBody);
        }
        message.setBody(result.text());
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
