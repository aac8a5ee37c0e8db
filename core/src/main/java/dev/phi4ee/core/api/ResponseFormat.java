package dev.phi4ee.core.api;

import dev.phi4ee.core.generate.constrain.SchemaCompiler;
import java.util.Objects;

/**
 * What the generated text must be: free text (the default), any JSON object ({@link #json()}, OpenAI's
 * {@code json_object}), or a JSON document valid for a JSON Schema ({@link #jsonSchema}, OpenAI's
 * {@code json_schema}). A JSON format constrains decoding: each step may only choose tokens that keep the text a
 * prefix of a valid compact JSON document, and generation ends (finish reason {@link FinishReason#STOP}) when the
 * document is complete. A document cut short by {@code maxNewTokens}, a stop string or a deadline is not complete.
 *
 * <p>The schema is checked when the format is made: a syntax error, an unsupported keyword (named in the message) or
 * a schema no document can satisfy throws {@link InvalidInputException}. The supported draft 2020-12 subset and the
 * generated form (compact JSON, declared property order) are described in docs/decisions/structured-output.md.
 *
 * @param kind text, JSON or JSON Schema
 * @param name a name for the schema (OpenAI's {@code json_schema.name}; informational), null for none
 * @param schema the JSON Schema text for {@link Kind#JSON_SCHEMA}, else null
 */
public record ResponseFormat(Kind kind, String name, String schema) {
    public enum Kind {
        /** Free text. */
        TEXT,
        /** Any JSON object. */
        JSON,
        /** A JSON document valid for {@link ResponseFormat#schema()}. */
        JSON_SCHEMA
    }

    private static final ResponseFormat TEXT = new ResponseFormat(Kind.TEXT, null, null);
    private static final ResponseFormat JSON = new ResponseFormat(Kind.JSON, null, null);

    public ResponseFormat {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.JSON_SCHEMA) != (schema != null)) {
            throw new InvalidInputException("a response format has a schema exactly when its kind is JSON_SCHEMA");
        }
        if (schema != null) {
            SchemaCompiler.check(schema);
        }
    }

    /** Free text (no constraint). */
    public static ResponseFormat text() {
        return TEXT;
    }

    /** Any JSON object, compact. */
    public static ResponseFormat json() {
        return JSON;
    }

    /**
     * A document valid for {@code schemaJson}.
     *
     * @throws InvalidInputException when the schema is not JSON, uses an unsupported keyword or admits no document
     */
    public static ResponseFormat jsonSchema(String schemaJson) {
        return new ResponseFormat(Kind.JSON_SCHEMA, null, Objects.requireNonNull(schemaJson, "schemaJson"));
    }

    /** As {@link #jsonSchema(String)}, with a name (OpenAI's {@code json_schema.name}). */
    public static ResponseFormat jsonSchema(String name, String schemaJson) {
        return new ResponseFormat(Kind.JSON_SCHEMA, name, Objects.requireNonNull(schemaJson, "schemaJson"));
    }

    /** Whether decoding is constrained (JSON or JSON Schema). */
    public boolean constrained() {
        return kind != Kind.TEXT;
    }
}
