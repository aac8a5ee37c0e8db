package dev.phi4ee.core.generate.constrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code oneOf} is generated as a union of its branches, so it is accepted only when the branches provably never
 * match one document together; the others are refused by name. Whether the accepted ones really stay exact is shown
 * by {@link RandomWalkValidityTest#randomOneOfsAreRefusedOrStayExact}, against the independent validator.
 */
class OneOfDisjointnessTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                // different types
                "{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"null\"}]}",
                // the usual discriminator: a required property with a different const per branch, through $refs
                "{\"$defs\":{\"cat\":{\"type\":\"object\",\"properties\":{\"kind\":{\"const\":\"cat\"},\"lives\":"
                        + "{\"type\":\"integer\"}},\"required\":[\"kind\"]},\"dog\":{\"type\":\"object\",\"properties\":"
                        + "{\"kind\":{\"const\":\"dog\"},\"name\":{\"type\":\"string\"}},\"required\":[\"kind\"]}},"
                        + "\"oneOf\":[{\"$ref\":\"#/$defs/cat\"},{\"$ref\":\"#/$defs/dog\"}]}",
                // value lists that do not meet (1 and 1.0 are one value, so these differ elsewhere)
                "{\"oneOf\":[{\"enum\":[\"a\",\"ab\",1]},{\"enum\":[\"b\",2,{\"k\":1}]}]}",
                "{\"oneOf\":[{\"const\":\"x\"},{\"type\":\"string\",\"minLength\":2}]}",
                // number ranges that touch only at an excluded end
                "{\"oneOf\":[{\"type\":\"integer\",\"maximum\":0},{\"type\":\"number\",\"exclusiveMinimum\":0}]}",
                // a key one branch requires and the other never writes; a key one writes and the other forbids
                "{\"oneOf\":[{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},"
                        + "\"additionalProperties\":false},"
                        + "{\"type\":\"object\",\"properties\":{\"b\":{}},\"required\":[\"b\"],"
                        + "\"additionalProperties\":false}]}",
                // lengths and counts that do not meet
                "{\"oneOf\":[{\"type\":\"string\",\"maxLength\":2},{\"type\":\"string\",\"minLength\":3}]}",
                "{\"oneOf\":[{\"type\":\"array\",\"maxItems\":1},{\"type\":\"array\",\"minItems\":2}]}",
                // nested unions
                "{\"oneOf\":[{\"anyOf\":[{\"type\":\"boolean\"},{\"type\":\"null\"}]},{\"oneOf\":[{\"type\":\"string\"},"
                        + "{\"type\":\"integer\"}]}]}"
            })
    void disjointBranchesAreAccepted(String schema) {
        assertThat(SchemaCompiler.compileUncached(schema)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"string\",\"maxLength\":4}]}",
                // "2" is a number and an integer
                "{\"oneOf\":[{\"type\":\"number\"},{\"type\":\"integer\"}]}",
                // a keyword without a type admits every other type: "abc" matches both
                "{\"oneOf\":[{\"type\":\"string\"},{\"required\":[\"x\"]}]}",
                // keywords apply to their own type only: 5 is valid for the first, "abc" for the second
                "{\"oneOf\":[{\"maxLength\":3},{\"minimum\":2}]}",
                // {"b":1} is valid for the first branch: it does not forbid other keys
                "{\"oneOf\":[{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}},"
                        + "{\"type\":\"object\",\"properties\":{\"b\":{}},\"required\":[\"b\"]}]}",
                "{\"oneOf\":[{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}},"
                        + "{\"type\":\"object\",\"properties\":{\"b\":{\"type\":\"string\"}}}]}",
                "{\"oneOf\":[{\"enum\":[\"a\",2]},{\"type\":\"number\",\"minimum\":1,\"maximum\":3}]}",
                "{\"oneOf\":[{\"const\":1},{\"const\":1.0}]}",
                "{\"oneOf\":[{\"type\":\"integer\",\"maximum\":0},{\"type\":\"number\",\"minimum\":0}]}",
                "{\"oneOf\":[true,{\"type\":\"null\"}]}"
            })
    void branchesThatMayOverlapAreRefusedByName(String schema) {
        assertThatThrownBy(() -> SchemaCompiler.compileUncached(schema))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("oneOf branches")
                .hasMessageContaining("at #/oneOf");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"object\",\"properties\":{\"p\":%s}}", "{\"type\":\"array\",\"items\":%s}"})
    void theMessageNamesTheNestedPointer(String outer) {
        String schema = outer.formatted("{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"string\"}]}");
        List<String> messages = new ArrayList<>();
        try {
            SchemaCompiler.compileUncached(schema);
        } catch (InvalidInputException e) {
            messages.add(e.getMessage());
        }
        assertThat(messages).singleElement().asString().containsAnyOf("at #/properties/p/oneOf", "at #/items/oneOf");
    }
}
