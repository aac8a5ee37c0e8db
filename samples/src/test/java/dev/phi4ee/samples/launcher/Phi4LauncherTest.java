package dev.phi4ee.samples.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

class Phi4LauncherTest {

    @Test
    void readsOldAndNewVersionStrings() {
        assertThat(Phi4Launcher.featureVersion("1.8")).isEqualTo(8);
        assertThat(Phi4Launcher.featureVersion("11")).isEqualTo(11);
        assertThat(Phi4Launcher.featureVersion("17")).isEqualTo(17);
        assertThat(Phi4Launcher.featureVersion("21")).isEqualTo(21);
        assertThat(Phi4Launcher.featureVersion("25")).isEqualTo(25);
        assertThat(Phi4Launcher.featureVersion("unexpected")).isEqualTo(Integer.MAX_VALUE);
        assertThat(Phi4Launcher.featureVersion(null)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void oldJavaGetsOneLineNamingTheJdkNeededAndHowToRunIt() {
        String advice = Phi4Launcher.advice("17", "/usr/lib/jvm/java-17-openjdk-amd64");
        assertThat(advice)
                .doesNotContain("\n")
                .contains(
                        "Java 21 or newer", "Java 17", "/usr/lib/jvm/java-17-openjdk-amd64", "bin/java -jar phi4.jar");
        assertThat(Phi4Launcher.advice("1.8", "/opt/jre8")).contains("Java 1.8");
        assertThat(Phi4Launcher.advice("21", "/opt/jdk21")).isNull();
        assertThat(Phi4Launcher.advice("25", "/opt/jdk25")).isNull();
    }

    @Test
    void launcherIsJava8BytecodeAndTheCliItStartsExists() throws Exception {
        try (InputStream in = Phi4Launcher.class.getResourceAsStream("Phi4Launcher.class")) {
            assertThat(classFileMajorVersion(in)).isEqualTo(52); // Java 8: loads on any JVM a user may have
        }
        Method main = Class.forName(Phi4Launcher.CLI).getMethod("main", String[].class);
        assertThat(Modifier.isStatic(main.getModifiers())).isTrue();
    }

    private static int classFileMajorVersion(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        assertThat(data.readInt()).isEqualTo(0xCAFEBABE);
        data.readUnsignedShort(); // minor
        return data.readUnsignedShort();
    }
}
