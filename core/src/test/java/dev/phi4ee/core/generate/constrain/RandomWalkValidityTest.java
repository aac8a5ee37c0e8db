package dev.phi4ee.core.generate.constrain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Without a model: tokens drawn at random among those the grammar allows (uniformly, so long and exotic tokens come up
 * as often as ASCII ones) must always give a document the independent validator accepts, and always end.
 */
class RandomWalkValidityTest {
    private static final int MAX_TOKENS = 3000;

    @Test
    void randomAllowedTokensAlwaysGiveValidDocuments() {
        ConstraintTables tables = KitVocabulary.tables();
        List<String> failures = new ArrayList<>();
        int documents = 0;
        for (Map.Entry<String, String> e : ConstrainedSchemas.adversarial().entrySet()) {
            documents += walk(tables, e.getKey(), e.getValue(), 40, failures);
        }
        List<String> random = ConstrainedSchemas.random(7, 60);
        for (int i = 0; i < random.size(); i++) {
            documents += walk(tables, "random " + i, random.get(i), 8, failures);
        }
        assertThat(failures).isEmpty();
        assertThat(documents).isEqualTo(40 * ConstrainedSchemas.adversarial().size() + 8 * 60);
    }

    /**
     * Random {@code oneOf}s: each is either refused (its branches may overlap) or every random document validates
     * against the {@code oneOf} — matches exactly one branch. A disjointness check that accepted an overlapping pair
     * fails here (seen with the check disabled: documents matching two branches).
     */
    @Test
    void randomOneOfsAreRefusedOrStayExact() {
        ConstraintTables tables = KitVocabulary.tables();
        List<String> failures = new ArrayList<>();
        int accepted = 0;
        int refused = 0;
        List<String> schemas = ConstrainedSchemas.randomOneOfs(11, 120);
        for (int i = 0; i < schemas.size(); i++) {
            try {
                SchemaCompiler.compile(schemas.get(i));
            } catch (dev.phi4ee.core.api.InvalidInputException e) {
                assertThat(e.getMessage()).contains("oneOf branches");
                refused++;
                continue;
            }
            walk(tables, "oneOf " + i, schemas.get(i), 12, failures);
            accepted++;
        }
        assertThat(failures).isEmpty();
        assertThat(accepted).as("accepted").isGreaterThan(20);
        assertThat(refused).as("refused").isGreaterThan(20);
    }

    private static int walk(ConstraintTables tables, String name, String schema, int walks, List<String> failures) {
        Grammar g = SchemaCompiler.compile(schema);
        GrammarAutomaton a = tables.automaton(g);
        SchemaValidator validator = new SchemaValidator(schema);
        int done = 0;
        for (int w = 0; w < walks; w++) {
            SplittableRandom random = new SplittableRandom(w * 31L + name.hashCode());
            String doc = randomDocument(a, random);
            if (doc == null) {
                failures.add(name + " walk " + w + ": did not end within " + MAX_TOKENS + " tokens");
                continue;
            }
            List<String> errors = validator.errors(doc);
            if (!errors.isEmpty()) {
                failures.add(name + " walk " + w + ": " + doc + " -> " + errors);
            }
            done++;
        }
        return done;
    }

    /** A document from random allowed tokens; EOS is taken with probability 1/2 whenever allowed. */
    static String randomDocument(GrammarAutomaton a, SplittableRandom random) {
        GrammarAutomaton.State s = a.start();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int step = 0; step < MAX_TOKENS; step++) {
            if (s.complete || (s.accepting && random.nextBoolean())) {
                return out.toString(StandardCharsets.UTF_8);
            }
            TokenMask m = a.mask(s);
            assertThat(m.count)
                    .as("a state that is not complete allows some token")
                    .isPositive();
            if (m.count == 1 && m.allows(KitVocabulary.EOS)) {
                return out.toString(StandardCharsets.UTF_8);
            }
            int id;
            do {
                id = nth(m, random.nextInt(m.count));
            } while (id == KitVocabulary.EOS);
            byte[] b = a.vocabulary.bytes(id);
            out.writeBytes(b);
            s = a.advance(s, id);
            assertThat(s).isNotSameAs(GrammarAutomaton.DEAD);
        }
        return null;
    }

    static int nth(TokenMask m, int n) {
        if (m.ids != null) {
            return m.ids[n];
        }
        for (int w = 0; w < m.bits.length; w++) {
            int c = Long.bitCount(m.bits[w]);
            if (n < c) {
                long x = m.bits[w];
                for (int k = 0; k < n; k++) {
                    x &= x - 1;
                }
                return (w << 6) + Long.numberOfTrailingZeros(x);
            }
            n -= c;
        }
        throw new IllegalStateException();
    }
}
