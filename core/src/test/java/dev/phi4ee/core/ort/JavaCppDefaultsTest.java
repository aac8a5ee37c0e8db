package dev.phi4ee.core.ort;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * JavaCPP's resident-memory guard is off unless the user sets it, so a release-sized model (weights alone above
 * 4 × an app server's heap) keeps running. Each case runs in a JVM of its own: JavaCPP reads the property once per
 * process, and in this test JVM another class may have initialised JavaCPP first.
 */
class JavaCppDefaultsTest {

    @Test
    void residentMemoryGuardIsOffByDefault() throws Exception {
        assertThat(childReports("-Xmx256m")).contains("maxPhysicalBytes 0");
    }

    @Test
    void anExplicitSettingWins() throws Exception {
        assertThat(childReports("-Xmx256m", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=3g"))
                .contains("maxPhysicalBytes " + (3L << 30));
    }

    private static String childReports(String... jvmOptions) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of(
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Child.class.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /** Runs in the forked JVM: loads ONNX Runtime through this library and prints JavaCPP's limit. */
    public static final class Child {
        private Child() {}

        public static void main(String[] args) {
            OnnxRuntime.initialize();
            System.out.println("maxPhysicalBytes " + OnnxRuntime.maxPhysicalBytes());
        }
    }
}
