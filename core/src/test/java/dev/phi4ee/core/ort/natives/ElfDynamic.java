package dev.phi4ee.core.ort.natives;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code DT_NEEDED} and {@code DT_SONAME} entries of a 64-bit little-endian ELF shared library (what {@code
 * readelf -d} prints), found as the dynamic loader finds them: the {@code PT_DYNAMIC} program header, then the
 * string table at {@code DT_STRTAB}, mapped to a file offset through the {@code PT_LOAD} segment that holds it.
 * Reads only those structures, each from a fresh stream, so a 300 MB library inside a jar is never extracted.
 */
record ElfDynamic(String soname, List<String> needed) {
    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final long DT_NULL = 0;
    private static final long DT_NEEDED = 1;
    private static final long DT_STRTAB = 5;
    private static final long DT_STRSZ = 10;
    private static final long DT_SONAME = 14;
    private static final long MAX_STRUCTURE = 64L << 20;

    static ElfDynamic read(Source file) throws IOException {
        ByteBuffer h = at(file, 0, 64);
        if (h.getInt(0) != 0x464c457f) { // "\x7fELF" read little-endian
            throw new IOException("not an ELF file");
        }
        if (h.get(4) != 2 || h.get(5) != 1) {
            throw new IOException("not a 64-bit little-endian ELF file");
        }
        long phoff = h.getLong(0x20);
        int phentsize = Short.toUnsignedInt(h.getShort(0x36));
        int phnum = Short.toUnsignedInt(h.getShort(0x38));
        ByteBuffer ph = at(file, phoff, (long) phentsize * phnum);
        ByteBuffer dyn = null;
        for (int i = 0; i < phnum; i++) {
            int p = i * phentsize;
            if (ph.getInt(p) == PT_DYNAMIC) {
                dyn = at(file, ph.getLong(p + 8), ph.getLong(p + 0x20));
            }
        }
        if (dyn == null) {
            return new ElfDynamic(null, List.of()); // statically linked
        }
        long strtab = -1;
        long strsz = -1;
        long soname = -1;
        List<Long> needed = new ArrayList<>();
        for (int e = 0; e + 16 <= dyn.limit(); e += 16) {
            long tag = dyn.getLong(e);
            long value = dyn.getLong(e + 8);
            if (tag == DT_NULL) {
                break;
            } else if (tag == DT_NEEDED) {
                needed.add(value);
            } else if (tag == DT_SONAME) {
                soname = value;
            } else if (tag == DT_STRTAB) {
                strtab = value;
            } else if (tag == DT_STRSZ) {
                strsz = value;
            }
        }
        if (strtab < 0 || strsz < 0) {
            throw new IOException("dynamic section without DT_STRTAB/DT_STRSZ");
        }
        ByteBuffer strings = at(file, fileOffset(ph, phentsize, phnum, strtab), strsz);
        List<String> names = new ArrayList<>();
        for (long offset : needed) {
            names.add(string(strings, offset));
        }
        return new ElfDynamic(soname < 0 ? null : string(strings, soname), List.copyOf(names));
    }

    /** The file offset of virtual address {@code vaddr}, through the PT_LOAD segment that maps it. */
    private static long fileOffset(ByteBuffer ph, int phentsize, int phnum, long vaddr) throws IOException {
        for (int i = 0; i < phnum; i++) {
            int p = i * phentsize;
            long offset = ph.getLong(p + 8);
            long start = ph.getLong(p + 0x10);
            long size = ph.getLong(p + 0x20);
            if (ph.getInt(p) == PT_LOAD && vaddr >= start && vaddr < start + size) {
                return offset + (vaddr - start);
            }
        }
        throw new IOException("address 0x" + Long.toHexString(vaddr) + " is in no PT_LOAD segment");
    }

    private static String string(ByteBuffer table, long offset) throws IOException {
        if (offset < 0 || offset >= table.limit()) {
            throw new IOException("string offset " + offset + " outside the string table");
        }
        int start = (int) offset;
        int end = start;
        while (end < table.limit() && table.get(end) != 0) {
            end++;
        }
        byte[] b = new byte[end - start];
        table.get(start, b);
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** The {@code size} bytes at {@code offset}, from a fresh stream (skipping is cheap next to the libraries). */
    private static ByteBuffer at(Source file, long offset, long size) throws IOException {
        if (offset < 0 || size < 0 || size > MAX_STRUCTURE) {
            throw new IOException("ELF structure at " + offset + " (+" + size + " bytes) is out of range");
        }
        try (InputStream in = file.open()) {
            in.skipNBytes(offset);
            byte[] b = in.readNBytes((int) size);
            if (b.length < size) {
                throw new IOException("file ends before byte " + (offset + size));
            }
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** Opens the library's bytes from the start, as often as needed. */
    interface Source {
        InputStream open() throws IOException;
    }
}
