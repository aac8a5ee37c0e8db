package dev.phi4ee.core.generate.kv;

import dev.phi4ee.core.ort.CudaMemory;
import dev.phi4ee.core.ort.OnnxRuntime;
import java.lang.management.ManagementFactory;
import java.util.Optional;

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
        // The JDK's bean reports the container's limit when there is one (the OS total otherwise).
        long physical = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        Runtime rt = Runtime.getRuntime();
        long heapGrowth = rt.maxMemory() == Long.MAX_VALUE ? 0 : Math.max(0, rt.maxMemory() - rt.totalMemory());
        return new Host(physical, OnnxRuntime.physicalBytes() + heapGrowth, OnnxRuntime.maxPhysicalBytes());
    }
}
