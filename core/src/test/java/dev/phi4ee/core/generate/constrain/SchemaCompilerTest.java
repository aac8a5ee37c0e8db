package dev.phi4ee.core.generate.constrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.ResponseFormat;
import dev.phi4ee.core.api.ToolDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rejections at request time, and the language of small schemas (accepted and rejected documents). */
class SchemaCompilerTest {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"allOf\":[{}]}|unsupported keyword 'allOf' at #",
                "{\"type\":\"object\",\"properties\":{\"a\":{\"not\":{}}}}|unsupported keyword 'not' at #/properties/a",
                "{\"type\":\"array\",\"uniqueItems\":true}|'uniqueItems' (true)",
                "{\"type\":\"number\",\"multipleOf\":2}|unsupported keyword 'multipleOf'",
                "{\"type\":\"string\",\"format\":\"uri\"}|unsupported format 'uri'",
                "{\"type\":\"string\",\"pattern\":\"(a)\\\\1\"}|the escape \\1",
                "{\"type\":\"string\",\"pattern\":\"(?=a)\"}|the group syntax (?=",
                "{\"type\":\"string\",\"pattern\":\"a^b\"}|an anchor that is not the first or last",
                "{\"type\":\"string\",\"minLength\":3,\"maxLength\":2}|minLength 3 exceeds maxLength 2",
                "{\"type\":\"string\",\"pattern\":\"^a{5}$\",\"maxLength\":3}|no string satisfies",
                "{\"type\":\"integer\",\"exclusiveMinimum\":1,\"exclusiveMaximum\":2}|no integer satisfies",
                "{\"$ref\":\"#/$defs/x\"}|names nothing",
                "{\"$ref\":\"https://example.com/s.json\"}|only local references",
                "{\"$defs\":{\"x\":{\"$ref\":\"#/$defs/x\"}},\"$ref\":\"#/$defs/x\"}|refers to itself",
                "{\"type\":\"object\",\"properties\":{\"n\":{\"$ref\":\"#\"}},\"required\":[\"n\"]}|no document satisfies",
                "{\"type\":\"object\",\"anyOf\":[{}]}|'anyOf' with [type]",
                "{\"type\":\"strnig\"}|unknown type",
                "not json|not valid JSON",
                "false|the schema false admits nothing"
            })
    void unsupportedOrUnsatisfiableSchemasAreRejectedByName(String schema, String message) {
        assertThatThrownBy(() -> ResponseFormat.jsonSchema(schema))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(message);
    }

    @Test
    void toolParametersAreCheckedWithTheToolsName() {
        assertThatThrownBy(() -> ToolDefinition.of("lookup", "", "{\"if\":{}}"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("tool 'lookup' parameters")
                .hasMessageContaining("'if'");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"type\":\"integer\",\"minimum\":-3,\"maximum\":12}|-3,0,7,12|-4,13,1.0,01,-0.5, 5",
                "{\"type\":\"number\",\"exclusiveMinimum\":0,\"maximum\":1}|0.5,1,0.000001,1.0|0,-0.1,1.01,0.",
                "{\"type\":\"string\",\"pattern\":\"^[a-c]+$\",\"maxLength\":2}|\"a\",\"cb\",\"\\u0061\"|\"\",\"abc\",\"d\"",
                "{\"type\":\"string\",\"format\":\"date\"}|\"2024-02-28\",\"1999-12-31\"|\"2024-02-30\",\"2024-13-01\"",
                "{\"enum\":[\"a\",\"ab\",1]}|\"a\",\"ab\",1|\"abc\",10,\"b\"",
                "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"null\"},\"y\":{\"type\":\"boolean\"}},\"required\":[\"y\"]}"
                        + "|{\"y\":true},{\"x\":null,\"y\":false}|{},{\"y\":true,\"x\":null},{ \"y\":true}",
                "{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"minItems\":1,\"maxItems\":2}|[1],[1,2]|[],[1,2,3],[1, 2]"
            })
    void theGrammarAcceptsValidCompactDocumentsOnly(String schema, String valid, String invalid) {
        GrammarAutomaton a = KitVocabulary.tables().automaton(SchemaCompiler.compile(schema));
        for (String doc : split(valid)) {
            assertThat(TokenMaskTest.feed(a, a.start(), doc).accepting).as(doc).isTrue();
        }
        for (String doc : split(invalid)) {
            GrammarAutomaton.State s = TokenMaskTest.feed(a, a.start(), doc);
            assertThat(s == GrammarAutomaton.DEAD || !s.accepting).as(doc).isTrue();
        }
    }

    /** Splits a list of JSON documents at top-level commas. */
    private static java.util.List<String> split(String list) {
        java.util.List<String> out = new java.util.ArrayList<>();
        int depth = 0;
        boolean inString = false;
        int start = 0;
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(list.substring(start, i));
                start = i + 1;
            }
        }
        out.add(list.substring(start));
        return out;
    }
}
