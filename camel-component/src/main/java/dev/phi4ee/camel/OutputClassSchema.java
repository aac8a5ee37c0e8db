package dev.phi4ee.camel;

import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import com.github.victools.jsonschema.module.jackson.JacksonOption;

/**
 * The JSON Schema of an {@code outputClass} without a {@code jsonSchema}, so that the answer fits the class by
 * construction (camel-openai gets the same from the OpenAI SDK, which uses this generator). As in OpenAI's strict
 * mode: every field required, no other properties, fields in declaration order (the order the engine writes them);
 * Jackson's {@code @JsonProperty} names apply. Lengths and ranges are unbounded unless the class says otherwise, so a
 * tight {@code maxOutputLength} can still cut an answer short; give a {@code jsonSchema} to bound them.
 */
final class OutputClassSchema {
    private static final SchemaGenerator GENERATOR = generator();

    private OutputClassSchema() {}

    static String of(Class<?> type) {
        return GENERATOR.generateSchema(type).toString();
    }

    private static SchemaGenerator generator() {
        SchemaGeneratorConfigBuilder config = new SchemaGeneratorConfigBuilder(
                        SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
                .with(new JacksonModule(
                        JacksonOption.RESPECT_JSONPROPERTY_REQUIRED, JacksonOption.RESPECT_JSONPROPERTY_ORDER))
                .with(Option.FORBIDDEN_ADDITIONAL_PROPERTIES_BY_DEFAULT)
                .without(Option.SCHEMA_VERSION_INDICATOR);
        config.forFields().withRequiredCheck(field -> true);
        config.forTypesInGeneral().withPropertySorter((a, b) -> 0); // a stable sort: declaration order
        return new SchemaGenerator(config.build());
    }
}
