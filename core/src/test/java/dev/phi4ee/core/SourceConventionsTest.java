package dev.phi4ee.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Conventions of the main sources of every module of this checkout (skipped where core is built outside it):
 * one logging facade, SLF4J (README "Logging"), and messages that say what happens instead of citing the project's
 * reference documents ("reference §5.4 c" means nothing to a user). Comments may cite; string literals may not.
 */
class SourceConventionsTest {
    /** Logging APIs other than SLF4J, as they appear in source. */
    static final List<String> OTHER_FACADES = List.of(
            "System.getLogger(",
            "System.Logger",
            "java.util.logging.Logger",
            "org.apache.logging.log4j",
            "org.apache.commons.logging",
            "org.jboss.logging");

    /** Files allowed to touch another facade, and why. */
    static final Map<String, String> ALLOWED = Map.of(
            "samples/src/main/java/dev/phi4ee/samples/serve/ApiServer.java",
            "sets the levels of Jersey's own java.util.logging loggers; it does not log through them");

    @Test
    void everyModuleLogsThroughSlf4j() {
        Map<String, String> offenders = new TreeMap<>();
        for (Path file : mainSources()) {
            String relative = root().relativize(file).toString().replace('\\', '/');
            if (ALLOWED.containsKey(relative)) {
                continue;
            }
            String source = read(file);
            OTHER_FACADES.stream().filter(source::contains).forEach(api -> offenders.put(relative, api));
        }
        assertThat(offenders)
                .as("main sources logging through another facade than SLF4J")
                .isEmpty();
    }

    @Test
    void noStringLiteralCitesAReferenceSection() {
        Map<String, String> offenders = new TreeMap<>();
        for (Path file : mainSources()) {
            for (String literal : stringLiterals(read(file))) {
                if (literal.contains("§")) {
                    offenders.put(root().relativize(file).toString(), literal);
                }
            }
        }
        assertThat(offenders).as("messages citing reference sections").isEmpty();
    }

    @Test
    void literalsAreFoundOutsideCommentsOnly() {
        String source = "/** see §1 \"quoted\" */ throw new X(\"a \\\" §2\" + 'c'); // \"§3\"\n"
                + "String s = \"http://x\"; /* \"§4\" */ String t = \"\"\"\n  block §5\n  \"\"\";";
        assertThat(stringLiterals(source)).containsExactly("a \\\" §2", "http://x", "\n  block §5\n  ");
    }

    /** The contents of the string literals and text blocks of a Java source, comments and char literals skipped. */
    static List<String> stringLiterals(String src) {
        List<String> literals = new ArrayList<>();
        int i = 0;
        while (i < src.length()) {
            if (src.startsWith("//", i)) {
                i = src.indexOf('\n', i) < 0 ? src.length() : src.indexOf('\n', i);
            } else if (src.startsWith("/*", i)) {
                i = src.indexOf("*/", i + 2) < 0 ? src.length() : src.indexOf("*/", i + 2) + 2;
            } else if (src.startsWith("\"\"\"", i)) {
                int end = src.indexOf("\"\"\"", i + 3);
                literals.add(src.substring(i + 3, end));
                i = end + 3;
            } else if (src.charAt(i) == '"' || src.charAt(i) == '\'') {
                char quote = src.charAt(i);
                int j = i + 1;
                while (j < src.length() && src.charAt(j) != quote) {
                    j += src.charAt(j) == '\\' ? 2 : 1;
                }
                if (quote == '"') {
                    literals.add(src.substring(i + 1, j));
                }
                i = j + 1;
            } else {
                i++;
            }
        }
        return literals;
    }

    private static List<Path> mainSources() {
        try (Stream<Path> modules = Files.list(root())) {
            List<Path> files = new ArrayList<>();
            for (Path main : modules.map(m -> m.resolve("src/main/java"))
                    .filter(Files::isDirectory)
                    .toList()) {
                try (Stream<Path> walk = Files.walk(main)) {
                    walk.filter(f -> f.toString().endsWith(".java")).forEach(files::add);
                }
            }
            assertThat(files).as("main sources under %s", root()).isNotEmpty();
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The checkout's root: the folder above core/ holding the parent pom. */
    private static Path root() {
        Path core = Path.of("").toAbsolutePath();
        Path root = core.getParent();
        assumeTrue(
                root != null
                        && Files.isRegularFile(root.resolve("pom.xml"))
                        && read(root.resolve("pom.xml")).contains("<artifactId>phi4-parent</artifactId>"),
                "core is not built inside the Phi4 EE checkout");
        return root;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
