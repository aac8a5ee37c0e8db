package dev.phi4ee.ejb;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.bind.JsonbException;
import jakarta.json.bind.config.BinaryDataStrategy;

/** JSON of the JMS messages (JSON-B, the platform's binding): media bytes travel as base64. */
@ApplicationScoped
public class JsonCodec {

    private final Jsonb jsonb =
            JsonbBuilder.create(new JsonbConfig().withBinaryDataStrategy(BinaryDataStrategy.BASE_64));

    public Phi4Request readRequest(String json) {
        try {
            Phi4Request request = jsonb.fromJson(json, Phi4Request.class);
            if (request == null) {
                throw new MalformedMessageException("the message holds no JSON request");
            }
            return request;
        } catch (JsonbException e) {
            throw new MalformedMessageException("the message is not a JSON request: " + e.getMessage(), e);
        }
    }

    public String write(Object value) {
        return jsonb.toJson(value);
    }

    public <T> T read(String json, Class<T> type) {
        return jsonb.fromJson(json, type);
    }

    @PreDestroy
    void close() {
        try {
            jsonb.close();
        } catch (Exception e) {
            // nothing held but caches
        }
    }
}
