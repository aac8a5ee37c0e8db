package dev.phi4ee.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phi4ee.core.api.ModelInfo;
import dev.phi4ee.core.api.Phi4Engine;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Probes in MicroProfile Health's JSON shape: {@code /health/live} (the server answers and the engine's decode thread,
 * once an engine is open, is alive) and {@code /health/ready}
 * (an engine is open; its model and the execution provider actually in use are reported).
 */
@Path("/health")
@Produces(MediaType.APPLICATION_JSON)
public class HealthResource {
    private final EngineHolder engines;

    public HealthResource(EngineHolder engines) {
        this.engines = engines;
    }

    @GET
    @Path("live")
    public Response live() {
        Phi4Engine engine = engines.current();
        if (engine != null && !engine.stats().engineThreadAlive()) {
            ObjectNode data = Json.MAPPER.createObjectNode().put("reason", "the engine's decode thread has ended");
            return status(false, "phi4-engine-thread", data);
        }
        return status(true, "phi4-engine-thread", null);
    }

    @GET
    @Path("ready")
    public Response ready() {
        Phi4Engine engine = engines.current();
        if (engine == null) {
            ObjectNode data = Json.MAPPER.createObjectNode().put("reason", engines.notReadyReason());
            return status(false, "phi4-engine", data);
        }
        ModelInfo info = engine.info();
        ObjectNode data = Json.MAPPER
                .createObjectNode()
                .put("modelType", info.modelType())
                .put("executionProvider", info.executionProvider())
                .put("maxLength", info.maxLength())
                .put("images", info.supportsImages())
                .put("audio", info.supportsAudio());
        return status(true, "phi4-engine", data);
    }

    private static Response status(boolean up, String check, ObjectNode data) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("status", up ? "UP" : "DOWN");
        ObjectNode c = root.putArray("checks").addObject();
        c.put("name", check);
        c.put("status", up ? "UP" : "DOWN");
        if (data != null) {
            c.set("data", data);
        }
        return Response.status(up ? 200 : 503)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Json.write(root))
                .build();
    }
}
