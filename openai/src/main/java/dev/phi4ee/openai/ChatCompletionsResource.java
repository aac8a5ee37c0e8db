package dev.phi4ee.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phi4ee.core.api.ContextLengthExceededException;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.TokenListener;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /v1/models} and {@code POST /v1/chat/completions}. Bodies are read as bytes and mapped by
 * {@link ChatRequestParser}, so every host (Jersey, RESTEasy) answers the same, OpenAI-shaped errors.
 */
@Path("/v1")
public class ChatCompletionsResource {
    /** Models listed with this creation time (the Phi-4-multimodal-instruct release, 2025-02-26). */
    private static final long MODEL_CREATED = 1_740_528_000L;

    private final OpenAiApiConfig config;
    private final EngineHolder engines;
    private final ChatRequestParser parser;
    private final ApiMetrics metrics;

    public ChatCompletionsResource(OpenAiApiConfig config, EngineHolder engines) {
        this(config, engines, ApiMetrics.none());
    }

    public ChatCompletionsResource(OpenAiApiConfig config, EngineHolder engines, ApiMetrics metrics) {
        this.config = config;
        this.engines = engines;
        this.parser = new ChatRequestParser(config);
        this.metrics = metrics;
    }

    @GET
    @Path("models")
    @Produces(MediaType.APPLICATION_JSON)
    public Response models() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("object", "list");
        root.putArray("data").add(model());
        return json(root);
    }

    @GET
    @Path("models/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response model(@PathParam("id") String id) {
        if (!config.modelId().equals(id)) {
            throw new ApiException(
                    404,
                    "invalid_request_error",
                    "The model '" + id + "' does not exist",
                    "model",
                    "model_not_found",
                    null);
        }
        return json(model());
    }

    @POST
    @Path("chat/completions")
    @Consumes(MediaType.WILDCARD)
    public Response chatCompletions(InputStream body) {
        long start = System.nanoTime();
        ChatResponses responses = new ChatResponses(config.modelId());
        SseStream sse = null;
        GenerationHandle handle;
        boolean withTools;
        try {
            ChatCall call = parser.parse(Json.parse(readLimited(body)));
            withTools = !call.request().tools().isEmpty();
            Phi4Engine engine = engines.require();
            TokenListener listener = delta -> {};
            if (call.stream()) {
                sse = new SseStream(responses, call.includeUsage(), withTools);
                listener = sse;
            }
            ApiMetrics.Tracked tracked = metrics.track(start, listener);
            handle = submit(engine, call, tracked);
            tracked.accepted(handle);
        } catch (RuntimeException e) {
            // Refused before the engine took it; once accepted, the generation's own end is what counts.
            metrics.failed(ErrorMapping.map(e));
            throw e;
        }
        if (sse == null) {
            return json(responses.completion(handle.result().join(), withTools));
        }
        sse.attach(handle);
        StreamingOutput output = sse::writeTo;
        return Response.ok(output, "text/event-stream")
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no")
                .build();
    }

    /**
     * Submits the request. Without an explicit bound from the caller, a default that overflows the context window is
     * shortened to what the window leaves, as the protocol's "up to the context length" default implies.
     */
    private static GenerationHandle submit(Phi4Engine engine, ChatCall call, TokenListener listener) {
        try {
            return engine.stream(call.request(), listener);
        } catch (ContextLengthExceededException e) {
            int room = e.maxLength() - e.promptTokens();
            if (call.maxTokensGiven() || room < 1) {
                throw e;
            }
            GenerationRequest r = call.request();
            GenerationRequest shorter = new GenerationRequest(
                    r.messages(), r.options().toBuilder().maxNewTokens(room).build(), r.tools(), r.toolChoice());
            return engine.stream(shorter, listener);
        }
    }

    private byte[] readLimited(InputStream body) {
        long limit = config.maxRequestBytes();
        try {
            byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (bytes.length > limit) {
                throw new ApiException(
                        413,
                        "invalid_request_error",
                        "the request body exceeds the server's limit of " + limit + " bytes",
                        null,
                        "request_too_large",
                        null);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body", e);
        }
    }

    private ObjectNode model() {
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("id", config.modelId());
        m.put("object", "model");
        m.put("created", MODEL_CREATED);
        m.put("owned_by", "phi4ee");
        return m;
    }

    static Response json(ObjectNode node) {
        return Response.ok(Json.write(node), MediaType.APPLICATION_JSON_TYPE).build();
    }
}
