package dev.phi4ee.core.ort.natives;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Follows the {@code DT_NEEDED} entries of the shared libraries inside a set of JavaCPP jars, from the roots, to
 * closure: each needed name is found in a jar (by file name, which is how JavaCPP bundles libraries: under their
 * soname), is a host library every Linux with the NVIDIA driver has ({@link #SYSTEM}), or is unresolved.
 */
final class NativeClosure {
    /** glibc, the GCC runtime and the NVIDIA driver's user-space libraries: never shipped in jars. */
    static final Set<String> SYSTEM = Set.of(
            "libc.so.6",
            "libm.so.6",
            "libdl.so.2",
            "libpthread.so.0",
            "librt.so.1",
            "ld-linux-x86-64.so.2",
            "libstdc++.so.6",
            "libgcc_s.so.1",
            "libcuda.so.1",
            "libnvidia-ml.so.1");

    /**
     * @param fromJar each library of the closure found in a jar, with the jar's file name
     * @param system the {@link #SYSTEM} libraries the closure needs
     * @param unresolved each needed library found nowhere, with the libraries that need it
     */
    record Result(Map<String, String> fromJar, Set<String> system, Map<String, Set<String>> unresolved) {}

    private record Bundled(Path jar, String entry) {}

    private NativeClosure() {}

    /** The closure of the libraries whose jar entry names match {@code roots}. */
    static Result of(List<Path> jars, Predicate<String> roots) {
        Map<String, Bundled> bundled = new TreeMap<>();
        Deque<String> todo = new ArrayDeque<>();
        for (Path jar : jars) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                    String entry = e.nextElement().getName();
                    String name = entry.substring(entry.lastIndexOf('/') + 1);
                    if (entry.startsWith("org/bytedeco/") && name.startsWith("lib") && name.contains(".so")) {
                        if (roots.test(entry)) { // a root wins over a same-named library of another platform jar
                            bundled.put(name, new Bundled(jar, entry));
                            todo.add(name);
                        } else if (!todo.contains(name)) {
                            bundled.putIfAbsent(name, new Bundled(jar, entry));
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + jar, e);
            }
        }
        Map<String, String> fromJar = new TreeMap<>();
        Set<String> system = new TreeSet<>();
        Map<String, Set<String>> unresolved = new TreeMap<>();
        while (!todo.isEmpty()) {
            String lib = todo.pop();
            Bundled b = bundled.get(lib);
            if (fromJar.putIfAbsent(lib, b.jar().getFileName().toString()) != null) {
                continue;
            }
            for (String needed : needed(b).needed()) {
                if (bundled.containsKey(needed)) {
                    todo.add(needed);
                } else if (SYSTEM.contains(needed)) {
                    system.add(needed);
                } else {
                    unresolved.computeIfAbsent(needed, k -> new TreeSet<>()).add(lib);
                }
            }
        }
        return new Result(fromJar, system, unresolved);
    }

    private static ElfDynamic needed(Bundled b) {
        try (ZipFile zip = new ZipFile(b.jar().toFile())) {
            ZipEntry entry = zip.getEntry(b.entry());
            return ElfDynamic.read(() -> zip.getInputStream(entry));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + b.entry() + " in " + b.jar(), e);
        }
    }
}
