package dev.phi4ee.samples.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phi4ee.camel.Phi4ExchangeException;
import org.apache.camel.Exchange;

/** Builds the JSON result of one input file; every result says which model made it and whether it is random. */
final class ResultFiles {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ResultFiles() {}

    static ObjectNode start(Exchange exchange, SampleSettings settings) {
        ObjectNode node = JSON.createObjectNode();
        node.put("file", exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class));
        node.put("model", settings.model());
        if (settings.demoModel()) {
            node.put("warning", "demo model: random weights, the text below is RANDOM and means nothing");
        }
        return node;
    }

    /** The engine's own message when the component wrapped it, without Camel's exchange dump. */
    static String describe(Exception e) {
        if (e == null) {
            return "unknown error";
        }
        Throwable shown = e instanceof Phi4ExchangeException && e.getCause() != null ? e.getCause() : e;
        return shown.getClass().getSimpleName() + ": " + shown.getMessage();
    }

    static String write(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
