package dev.phi4ee.core.generate.constrain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The trie walk gives exactly the ids a brute-force scan gives: every id of the 200,064-row vocabulary fed through the
 * automaton byte by byte from the state, for states met along random walks (inside strings, between UTF-8 bytes, in
 * numbers, at structure).
 */
class TokenMaskTest {
    @Test
    void trieWalkEqualsBruteForceScanOfTheWholeVocabulary() {
        ConstraintTables tables = KitVocabulary.tables();
        int checked = 0;
        for (String schema : ConstrainedSchemas.adversarial().values()) {
            GrammarAutomaton a = tables.automaton(SchemaCompiler.compile(schema));
            SplittableRandom random = new SplittableRandom(schema.length());
            GrammarAutomaton.State s = a.start();
            for (int step = 0; step < 6 && !s.complete; step++) {
                TokenMask walked = a.mask(s);
                TokenMask brute = bruteForce(a, s);
                assertThat(walked.count).isEqualTo(brute.count);
                assertThat(walked.bits).isEqualTo(brute.bits);
                checked++;
                int id;
                do {
                    id = RandomWalkValidityTest.nth(walked, random.nextInt(walked.count));
                } while (id == KitVocabulary.EOS);
                s = a.advance(s, id);
            }
        }
        assertThat(checked).isGreaterThan(40);
    }

    /**
     * Inside strings without a pattern the mask comes from the per-vocabulary string-body table instead of the trie:
     * at every count of bounded strings (after raw, multi-byte and escaped characters), in an unbounded one with a
     * minimum, in a free-form map key, and where what follows the closing quote differs (another property, the end of
     * an object in an array, the end of the document), it equals the brute-force scan.
     */
    @Test
    void stringBodyMasksEqualBruteForceScanAtEveryCount() {
        ConstraintTables tables = KitVocabulary.tables();
        String schema = """
                {"type":"object","properties":{
                  "a":{"type":"string","minLength":2,"maxLength":5},
                  "b":{"type":"array","maxItems":2,"items":{"type":"object","properties":{"c":{"type":"string","maxLength":3}},"required":["c"]}},
                  "m":{"type":"object"},
                  "u":{"type":"string","minLength":3}},
                 "required":["a","b","m","u"],"additionalProperties":false}""";
        GrammarAutomaton a = tables.automaton(SchemaCompiler.compile(schema));
        int checked = 0;
        String[] prefixes = {
            "{\"a\":\"", "{\"a\":\"é\\n", "{\"a\":\"ab\",\"b\":[{\"c\":\"", "{\"a\":\"ab\",\"b\":[],\"m\":{\""
        };
        for (String prefix : prefixes) {
            GrammarAutomaton.State s = feed(a, a.start(), prefix);
            for (int k = 0; k < 6 && s != GrammarAutomaton.DEAD; k++) {
                assertThat(GrammarAutomaton.plainStringBody(s)).as(prefix + k).isNotNull();
                assertThat(a.mask(s).bits).as(prefix + k).isEqualTo(bruteForce(a, s).bits);
                checked++;
                s = feed(a, s, k % 2 == 0 ? "x" : "ü");
            }
        }
        GrammarAutomaton.State u = feed(a, a.start(), "{\"a\":\"ab\",\"b\":[],\"m\":{},\"u\":\"");
        for (int k = 0; k < 5; k++) {
            assertThat(GrammarAutomaton.plainStringBody(u)).isNotNull();
            assertThat(a.mask(u).bits).as("unbounded, count " + k).isEqualTo(bruteForce(a, u).bits);
            checked++;
            u = feed(a, u, "\\t");
        }
        assertThat(checked).isGreaterThan(20);
    }

    private static TokenMask bruteForce(GrammarAutomaton a, GrammarAutomaton.State s) {
        long[] bits = new long[(KitVocabulary.VOCAB + 63) >>> 6];
        for (int id = 0; id < KitVocabulary.VOCAB; id++) {
            boolean allowed = id == KitVocabulary.EOS ? s.accepting : a.advance(s, id) != GrammarAutomaton.DEAD;
            if (allowed) {
                bits[id >>> 6] |= 1L << id;
            }
        }
        return new TokenMask(bits);
    }

    @Test
    void aTokenSpanningStructureAndSplitUtf8AreExact() {
        ConstraintTables tables = KitVocabulary.tables();
        GrammarAutomaton a = tables.automaton(
                SchemaCompiler.compile(
                        "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"maxLength\":1}},\"required\":[\"a\"]}"));
        GrammarAutomaton.State s = feed(a, a.start(), "{\"a\":\"");
        // one code point left: "é" (2 bytes) may come split in two byte tokens; "ab" may not
        assertThat(feed(a, s, "é\"}").complete).isTrue();
        assertThat(feed(a, s, "ab")).isSameAs(GrammarAutomaton.DEAD);
        GrammarAutomaton.State half = a.next(s, 0xC3);
        assertThat(half).isNotSameAs(GrammarAutomaton.DEAD);
        assertThat(a.next(half, 0x28)).as("not a continuation byte").isSameAs(GrammarAutomaton.DEAD);
        assertThat(a.next(s, 0xC0)).as("overlong lead byte").isSameAs(GrammarAutomaton.DEAD);
        assertThat(feed(a, s, "\\ud800")).as("surrogate escape").isSameAs(GrammarAutomaton.DEAD);
        assertThat(a.next(s, '\n')).as("raw control character").isSameAs(GrammarAutomaton.DEAD);
        int closing = KitVocabulary.tokenizer().tokenId("\"}").orElseThrow();
        assertThat(a.mask(feed(a, s, "x")).allows(closing))
                .as("a token spanning the end of string and object")
                .isTrue();
        assertThat(a.mask(s).allows(closing))
                .as("empty value allowed (no minLength)")
                .isTrue();
    }

    static GrammarAutomaton.State feed(GrammarAutomaton a, GrammarAutomaton.State s, String text) {
        for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            if (s == GrammarAutomaton.DEAD) {
                return s;
            }
            s = a.next(s, b & 0xFF);
        }
        return s;
    }
}
