package dev.phi4ee.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The guard rails of {@code phi4 serve} that act before any model is opened. */
class ServeCommandTest {
    @Test
    void refusesAPublicAddressWithoutAKey() {
        ModelCommandsTest.Run run = ModelCommandsTest.run("serve", "--host", "0.0.0.0", "--port", "0");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--api-key", "--allow-unauthenticated");
    }

    @Test
    void loopbackNamesAreRecognised() throws Exception {
        assertThat(ServeCommand.isLoopback("127.0.0.1")).isTrue();
        assertThat(ServeCommand.isLoopback("::1")).isTrue();
        assertThat(ServeCommand.isLoopback("0.0.0.0")).isFalse();
    }
}
