package dev.phi4ee.core.generate.constrain;

import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.ResponseFormat;
import dev.phi4ee.core.api.ToolChoice;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a request asks of decoding, decided when it is submitted: the grammar its output must follow (null: free),
 * control tokens it must never produce ({@link ToolChoice#none()}), and whether tool calls are parsed from its text.
 * Grammars built from tools are cached by the tools, choice and format, so that repeated requests share one automaton
 * and its masks.
 *
 * @param grammar the grammar (null: free text)
 * @param bannedTokens control tokens never generated (by content)
 * @param toolCalls whether the result's tool calls are parsed
 */
public record DecodingConstraint(Grammar grammar, List<String> bannedTokens, boolean toolCalls) {
    private static final DecodingConstraint NONE = new DecodingConstraint(null, List.of(), false);
    private static final int CACHE_SIZE = 64;
    private static final Map<String, Grammar> TOOL_GRAMMARS =
            Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Grammar> eldest) {
                    return size() > CACHE_SIZE;
                }
            });

    public DecodingConstraint {
        bannedTokens = List.copyOf(bannedTokens);
    }

    /** Whether anything constrains decoding. */
    public boolean constrains() {
        return grammar != null || !bannedTokens.isEmpty();
    }

    /** The constraint of {@code request} (schemas are compiled, or taken from the cache). */
    public static DecodingConstraint of(GenerationRequest request) {
        ResponseFormat format = request.options().responseFormat();
        ToolChoice choice = request.toolChoice();
        if (request.tools().isEmpty()) {
            Grammar g = formatGrammar(format);
            return g == null ? NONE : new DecodingConstraint(g, List.of(), false);
        }
        if (choice.mode() == ToolChoice.Mode.NONE) {
            return new DecodingConstraint(formatGrammar(format), List.of(ToolCallFormat.CALL), false);
        }
        String key = ToolCallFormat.toolsJson(request.tools()) + "\u0000" + choice + "\u0000" + format;
        Grammar g = TOOL_GRAMMARS.get(key);
        if (g == null) {
            g = toolGrammar(request, format, choice);
            TOOL_GRAMMARS.put(key, g);
        }
        return new DecodingConstraint(g, List.of(), true);
    }

    private static Grammar formatGrammar(ResponseFormat format) {
        return switch (format.kind()) {
            case TEXT -> null;
            case JSON -> SchemaCompiler.jsonObject();
            case JSON_SCHEMA -> SchemaCompiler.compile(format.schema());
        };
    }

    private static Grammar toolGrammar(GenerationRequest request, ResponseFormat format, ToolChoice choice) {
        Node block = ToolCallFormat.block(request.tools(), choice);
        List<String> specials = ToolCallFormat.specials();
        if (choice.mode() != ToolChoice.Mode.AUTO) {
            return new Grammar(block, specials, null, "tool call");
        }
        Node answer =
                switch (format.kind()) {
                    case TEXT -> null;
                    case JSON -> SchemaCompiler.jsonObjectNode();
                    case JSON_SCHEMA -> SchemaCompiler.node(format.schema());
                };
        return answer == null
                ? new Grammar(block, specials, ToolCallFormat.CALL, "tool call when started")
                : new Grammar(new Node.Alt(answer, block), specials, null, "json or tool call");
    }
}
