package dev.phi4ee.core.generate.constrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;

/** The independent check: networknt's JSON Schema validator (draft 2020-12, formats asserted). */
final class SchemaValidator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry REGISTRY =
            SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private final Schema schema;

    SchemaValidator(String schemaJson) {
        this.schema = REGISTRY.getSchema(schemaJson);
    }

    /** The validation errors of {@code document} (parse failures included); empty when it is valid. */
    List<String> errors(String document) {
        JsonNode node;
        try {
            node = JSON.readTree(document);
        } catch (Exception e) {
            return List.of("not JSON: " + e.getMessage());
        }
        if (node == null) {
            return List.of("empty");
        }
        List<Error> errors = schema.validate(node, ctx -> ctx.executionConfig(c -> c.formatAssertionsEnabled(true)));
        return errors.stream().map(Error::toString).toList();
    }
}
