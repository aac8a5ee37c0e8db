package dev.phi4ee.camel;

import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.Phi4Exception;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultAsyncProducer;
import org.apache.camel.support.builder.ExpressionBuilder;

/**
 * Submits the exchange to the engine and returns at once; the engine's future completes the exchange. No Camel
 * thread waits on a generation, so in-flight requests are bounded by the engine's queue, not by route threads.
 *
 * <p>Every exchange it accepted completes exactly once. Camel's shutdown strategy waits for in-flight exchanges
 * before it stops the producer (graceful shutdown, route stop); an exchange still generating when the producer stops
 * (that wait timed out, or a forced stop) has its generation cancelled and completes at once with a {@link
 * Phi4ExchangeException} saying so, instead of waiting for a completion pool that no longer exists.
 */
public class Phi4Producer extends DefaultAsyncProducer {

    /** One exchange waiting for its generation; {@link #finish} completes it once, whoever comes first. */
    private static final class InFlight {
        final Exchange exchange;
        final AsyncCallback callback;
        final AtomicBoolean finished = new AtomicBoolean();
        volatile GenerationHandle handle;

        InFlight(Exchange exchange, AsyncCallback callback) {
            this.exchange = exchange;
            this.callback = callback;
        }
    }

    private final Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();

    private ExchangeRequestMapper mapper;
    private StructuredOutput structured;
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
        structured = StructuredOutput.of(getEndpoint().getCamelContext(), configuration);
        mapper = new ExchangeRequestMapper(configuration, promptExpression(configuration.getPrompt()), structured);
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
        failInFlight();
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
        InFlight entry = new InFlight(exchange, callback);
        CompletableFuture<GenerationResult> result;
        inFlight.add(entry);
        try {
            if (!isRunAllowed()) {
                throw new Phi4Exception("phi4: the producer is stopped");
            }
            GenerationRequest request = mapper.toRequest(exchange);
            if (streamsBody()) { // the route goes on at once, iterating the text while it is generated
                inFlight.remove(entry);
                keepOriginalBody(exchange, exchange.getMessage().getBody());
                StreamingBody.start(getEndpoint().engine(), request, exchange);
                callback.done(true);
                return true;
            }
            result = submit(entry, request);
        } catch (RuntimeException e) {
            inFlight.remove(entry);
            Phi4ExchangeException.fail(exchange, e);
            callback.done(true);
            return true;
        }
        Object originalBody = exchange.getMessage().getBody();
        Executor completions = completionExecutor;
        result.whenComplete((generated, error) -> {
            Runnable completion = () -> finish(entry, generated, error, originalBody);
            try {
                if (completions == null) {
                    throw new RejectedExecutionException("stopped");
                }
                completions.execute(completion);
            } catch (RejectedExecutionException stopped) {
                completion.run(); // the pool is gone: complete here, never drop the exchange
            }
        });
        if (!isRunAllowed()) { // stopped while submitting: doStop may have missed this entry
            failInFlight();
        }
        return false;
    }

    /** Completes the exchange once: with the result, or the failure. */
    private void finish(InFlight entry, GenerationResult generated, Throwable error, Object originalBody) {
        if (!entry.finished.compareAndSet(false, true)) {
            return;
        }
        inFlight.remove(entry);
        if (error != null) {
            Phi4ExchangeException.fail(entry.exchange, error);
        } else {
            try {
                writeResult(entry.exchange, generated, originalBody);
            } catch (RuntimeException e) { // the answer does not parse into the output class
                Phi4ExchangeException.fail(entry.exchange, e);
            }
        }
        entry.callback.done(false);
    }

    /** Cancels the generations still running and fails their exchanges (the producer is stopping). */
    private void failInFlight() {
        for (InFlight entry : List.copyOf(inFlight)) {
            GenerationHandle handle = entry.handle;
            if (handle != null) {
                handle.cancel();
            }
            finish(
                    entry,
                    null,
                    new Phi4Exception("phi4: the route or context stopped before the generation finished (it was"
                            + " cancelled); raise the shutdown timeout to let long generations finish"),
                    null);
        }
    }

    private CompletableFuture<GenerationResult> submit(InFlight entry, GenerationRequest request) {
        Exchange exchange = entry.exchange;
        Phi4Engine engine = getEndpoint().engine();
        Phi4Configuration configuration = getEndpoint().getConfiguration();
        if (!configuration.isStreaming()) {
            GenerationHandle handle = engine.stream(request, delta -> {});
            entry.handle = handle;
            return handle.result();
        }
        ChunkForwarder chunks = new ChunkForwarder(
                chunkTemplate, configuration.getStreamingEndpoint(), exchange.getExchangeId(), chunkExecutor);
        GenerationHandle handle = engine.stream(request, chunks);
        entry.handle = handle;
        CompletableFuture<GenerationResult> generated = handle.result();
        return generated.thenCompose(r -> chunks.delivered().thenApply(count -> {
            exchange.getMessage().setHeader(Phi4Constants.CHUNK_COUNT, count);
            return r;
        }));
    }

    /** {@code streaming=true} without a streamingEndpoint: the body becomes an iterator of chunks. */
    private boolean streamsBody() {
        Phi4Configuration configuration = getEndpoint().getConfiguration();
        return configuration.isStreaming() && configuration.getStreamingEndpoint() == null;
    }

    private void keepOriginalBody(Exchange exchange, Object originalBody) {
        if (getEndpoint().getConfiguration().isKeepOriginalBody()) {
            exchange.getMessage().setHeader(Phi4Constants.ORIGINAL_BODY, originalBody);
        }
    }

    private void writeResult(Exchange exchange, GenerationResult result, Object originalBody) {
        var message = exchange.getMessage();
        keepOriginalBody(exchange, originalBody);
        message.setBody(result.text());
        ResultHeaders.write(message, result);
        structured.writeBody(exchange, result);
    }
}
