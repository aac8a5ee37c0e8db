package dev.phi4ee.core.generate.kv;

import dev.phi4ee.core.api.InsufficientMemoryException;
import dev.phi4ee.core.ort.CudaMemory;
import dev.phi4ee.core.ort.OnnxRuntime;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.management.JMException;
import javax.management.ObjectName;

/** {@link MemoryProbe} of the running machine. */
final class SystemMemoryProbe implements MemoryProbe {
    static final SystemMemoryProbe INSTANCE = new SystemMemoryProbe();

    private SystemMemoryProbe() {}

    @Override
    public Optional<Device> cuda(int ordinal) {
        return CudaMemory.of(ordinal).map(s -> new Device(s.totalBytes(), s.freeBytes(), s.source()));
    }

    @Override
    public Host host() {
        long physical = physicalMemory();
        Runtime rt = Runtime.getRuntime();
        long heapGrowth = rt.maxMemory() == Long.MAX_VALUE ? 0 : Math.max(0, rt.maxMemory() - rt.totalMemory());
        return new Host(physical, OnnxRuntime.physicalBytes() + heapGrowth, OnnxRuntime.maxPhysicalBytes());
    }

    /**
     * The host's memory, or its container's limit when there is one (the JDK's operating-system bean reports that).
     * Read as a JMX attribute, not through {@code com.sun.management.OperatingSystemMXBean}: app servers with
     * modular class loading (WildFly) do not let a deployment see {@code com.sun.management} classes, and the
     * attribute is there all the same. {@code /proc/meminfo} is the fallback.
     */
    static long physicalMemory() {
        try {
            Object v = ManagementFactory.getPlatformMBeanServer()
                    .getAttribute(new ObjectName("java.lang:type=OperatingSystem"), "TotalMemorySize");
            if (v instanceof Number n && n.longValue() > 0) {
                return n.longValue();
            }
        } catch (JMException | RuntimeException e) {
            // fall through to /proc
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        throw new InsufficientMemoryException(
                "cannot read this host's memory size to plan the KV cache; set kvCacheBytes", 0, 0);
    }
}
