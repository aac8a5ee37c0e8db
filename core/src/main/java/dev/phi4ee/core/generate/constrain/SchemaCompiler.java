package dev.phi4ee.core.generate.constrain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.phi4ee.core.api.InvalidInputException;

/** Compiles JSON Schemas into grammars (placeholder: checks the syntax only). */
public final class SchemaCompiler {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemaCompiler() {}

    /**
     * Checks that {@code schemaJson} compiles.
     *
     * @throws InvalidInputException naming the problem
     */
    public static void check(String schemaJson) {
        try {
            JSON.readTree(schemaJson);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("JSON schema is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** As {@link #check}, for the parameters of tool {@code name}. */
    public static void checkToolParameters(String name, String schemaJson) {
        check(schemaJson);
    }
}
