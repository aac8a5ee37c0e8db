package dev.phi4ee.core.generate.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The host probe reads the memory size as a JMX attribute (a WildFly deployment cannot load
 * {@code com.sun.management} classes: the EAR failed to deploy with {@code NoClassDefFoundError} when the probe cast
 * to that interface). It must give what the JDK's own bean reports.
 */
class SystemMemoryProbeTest {
    @Test
    void physicalMemoryIsWhatTheJdksBeanReports() {
        long expected = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        assertThat(SystemMemoryProbe.physicalMemory()).isEqualTo(expected);
    }

    @Test
    void hostFiguresAreSane() {
        MemoryProbe.Host h = SystemMemoryProbe.INSTANCE.host();
        assertThat(h.physicalBytes()).isGreaterThan(h.processBytes() / 4).isGreaterThan(256L << 20);
        assertThat(h.processBytes()).isPositive();
    }
}
