package dev.phi4ee.samples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Model.CommandSpec;

/** The JSON Lines loop of {@code tokenize} and {@code detokenize}: one output line per non-blank line of stdin. */
final class JsonLines {
    static final ObjectMapper JSON = new ObjectMapper();

    private JsonLines() {}

    /**
     * Maps one parsed input line to its output line; null when the value has the wrong shape, or a {@link BadLine}
     * saying what is wrong with it.
     */
    interface LineMapper {
        String map(JsonNode value) throws IOException;
    }

    /** A line whose value cannot be used; the message is printed after {@code line N: }. */
    static final class BadLine extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadLine(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Reads stdin line by line (UTF-8), skipping blank lines, and prints what {@code mapper} makes of each value.
     * Returns the exit code: 0, or 1 after printing {@code line N: expected <expected>} (or the mapper's
     * {@link BadLine} message) to stderr at the first line that is not JSON or that the mapper refuses.
     */
    static int map(CommandSpec spec, String expected, LineMapper mapper) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String json;
        int number = 0;
        while ((json = in.readLine()) != null) {
            number++;
            if (json.isBlank()) {
                continue;
            }
            String line;
            try {
                line = mapper.map(parse(json));
            } catch (BadLine e) {
                spec.commandLine().getErr().printf("line %d: %s%n", number, e.getMessage());
                return 1;
            }
            if (line == null) {
                spec.commandLine().getErr().printf("line %d: expected %s%n", number, expected);
                return 1;
            }
            out.println(line);
        }
        out.flush();
        return 0;
    }

    /** The line's JSON value, or JSON null when it is not JSON (no mapper accepts null). */
    private static JsonNode parse(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            return node == null ? JSON.nullNode() : node;
        } catch (JsonProcessingException e) {
            return JSON.nullNode();
        }
    }
}
