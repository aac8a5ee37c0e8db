package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.KvCachePlan;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's proof in a JVM of its own with a 1 GiB heap (so 1 GiB of direct memory): the demo model written with
 * the release's window ({@code context_length} = {@code max_length} = 131072, reference §2.2) opens with default
 * options and generates. Its full KV pool, 8 slots × 131072 tokens × 1 KiB = 1 GiB, used to be direct buffers and
 * failed with "Cannot reserve 268435456 bytes of direct buffer memory".
 */
class SmallHeapReleaseWindowTest {
    @TempDir
    Path dir;

    @Test
    void theDemoModelWithTheReleasesWindowOpensWithDefaultsUnderXmx1g() throws Exception {
        Path model = Phi4TestModels.write(
                dir.resolve("model"),
                TestModelSpec.builder().contextLength(131072).maxLength(131072).build());
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx1g",
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Child.class.getName(),
                        model.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        System.out.print(out);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("maxMemory " + (1L << 30) / (1 << 20) + " MiB");
        assertThat(out).contains("window 131072, slots 8, total 1073741824 bytes");
        assertThat(out).contains("generated 4 tokens");
    }

    /** Runs in the forked JVM: opens with {@code Phi4Engine.open(dir)} and generates four tokens. */
    public static final class Child {
        private Child() {}

        public static void main(String[] args) throws IOException {
            System.out.println("maxMemory " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
            try (Phi4Engine engine = Phi4Engine.open(Path.of(args[0]))) {
                KvCachePlan plan = engine.info().kvCache();
                System.out.println(plan.describe());
                System.out.println("window " + plan.window() + ", slots " + plan.slots() + ", total "
                        + plan.totalBytes() + " bytes");
                GenerationResult r = engine.generate(GenerationRequest.builder()
                        .user("Hello")
                        .options(GenerationOptions.builder()
                                .maxNewTokens(4)
                                .minNewTokens(4)
                                .build())
                        .build());
                System.out.println("generated " + r.usage().generatedTokens() + " tokens: " + List.of(r.text()));
            }
        }
    }
}
