package dev.phi4ee.core.testkit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic multilingual text corpus (≥ 1 MB of UTF-8) for tokenizer differential tests and benchmarks:
 * pseudo-words from 45+ scripts (BMP and supplementary, cased and uncased), code, emoji with modifiers and ZWJ
 * sequences, numbers in several digit systems, whitespace and CRLF runs, mixed-case contractions, very long words and
 * symbol runs, and combining marks in awkward places. Words are drawn from Unicode blocks, so no natural-language text
 * is copied from anywhere. Same seed, same documents, on every JDK.
 */
public final class MultilingualCorpus {
    /** Code point ranges of one script's letters (and marks), drawn from for pseudo-words. */
    private record Script(String name, int from, int to, boolean cased) {}

    private static final List<Script> SCRIPTS = List.of(
            new Script("Latin", 'a', 'z', true),
            new Script("Latin-1", 0xC0, 0xFF, true),
            new Script("Latin Extended-A", 0x100, 0x17F, true),
            new Script("Latin Extended-B", 0x180, 0x24F, true),
            new Script("IPA", 0x250, 0x2AF, false),
            new Script("Greek", 0x391, 0x3C9, true),
            new Script("Cyrillic", 0x410, 0x44F, true),
            new Script("Armenian", 0x531, 0x587, true),
            new Script("Hebrew", 0x5D0, 0x5EA, false),
            new Script("Arabic", 0x621, 0x64A, false),
            new Script("Syriac", 0x710, 0x72F, false),
            new Script("Thaana", 0x780, 0x7B1, false),
            new Script("NKo", 0x7CA, 0x7EA, false),
            new Script("Devanagari", 0x905, 0x94D, false),
            new Script("Bengali", 0x985, 0x9CD, false),
            new Script("Gurmukhi", 0xA05, 0xA4D, false),
            new Script("Gujarati", 0xA85, 0xACD, false),
            new Script("Oriya", 0xB05, 0xB4D, false),
            new Script("Tamil", 0xB85, 0xBCD, false),
            new Script("Telugu", 0xC05, 0xC4D, false),
            new Script("Kannada", 0xC85, 0xCCD, false),
            new Script("Malayalam", 0xD05, 0xD4D, false),
            new Script("Sinhala", 0xD85, 0xDCA, false),
            new Script("Thai", 0xE01, 0xE3A, false),
            new Script("Lao", 0xE81, 0xEB9, false),
            new Script("Tibetan", 0xF40, 0xF8C, false),
            new Script("Myanmar", 0x1000, 0x103F, false),
            new Script("Georgian", 0x10D0, 0x10FA, true),
            new Script("Hangul Jamo", 0x1100, 0x1112, false),
            new Script("Ethiopic", 0x1200, 0x1357, false),
            new Script("Cherokee", 0x13A0, 0x13F4, true),
            new Script("Canadian Syllabics", 0x1401, 0x166C, false),
            new Script("Ogham", 0x1681, 0x169A, false),
            new Script("Runic", 0x16A0, 0x16EA, false),
            new Script("Khmer", 0x1780, 0x17D2, false),
            new Script("Mongolian", 0x1820, 0x1877, false),
            new Script("Balinese", 0x1B05, 0x1B4B, false),
            new Script("Hiragana", 0x3041, 0x3096, false),
            new Script("Katakana", 0x30A1, 0x30FA, false),
            new Script("Bopomofo", 0x3105, 0x312F, false),
            new Script("CJK", 0x4E00, 0x9FFF, false),
            new Script("Yi", 0xA000, 0xA48C, false),
            new Script("Javanese", 0xA984, 0xA9C0, false),
            new Script("Hangul", 0xAC00, 0xD7A3, false),
            new Script("Tifinagh", 0x2D30, 0x2D67, false),
            new Script("Gothic", 0x10330, 0x1034A, false),
            new Script("Deseret", 0x10400, 0x1044F, true),
            new Script("Osage", 0x104B0, 0x104FB, true),
            new Script("Cuneiform", 0x12000, 0x12399, false),
            new Script("Adlam", 0x1E900, 0x1E943, true),
            new Script("Math alphanumerics", 0x1D400, 0x1D6A5, false),
            new Script("CJK Extension B", 0x20000, 0x2A6DF, false));

    private static final String[] CONTRACTIONS = {
        "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'Ve", "'M", "'LL", "'D", "'ſ", "'rE", "'x",
        "’s", "'", "''", "'dd"
    };
    private static final String[] EMOJI = {
        "😀",
        "👍🏽",
        "👨‍👩‍👧‍👦",
        "🏳️‍🌈",
        "🇩🇪🇫🇷",
        "1️⃣",
        "❤️",
        "🧑🏿‍💻",
        "👩‍❤️‍💋‍👨",
        "🐈‍⬛",
        "✨",
        "🤖",
        "©️",
        "🫶🏻"
    };
    private static final String[] NUMBERS = {
        "0",
        "7",
        "42",
        "365",
        "2024",
        "1234567890",
        "3.14159",
        "1,000,000",
        "-17",
        "+49",
        "1e-9",
        "0x1F600",
        "٣٤٥٦",
        "१२३४५",
        "๑๒๓",
        "Ⅻ",
        "²³",
        "½¾",
        "①②③",
        "10⁻³",
        "１２３４"
    };
    private static final String[] SPACES = {
        " ",
        "  ",
        "   ",
        "\t",
        "\t\t",
        "\n",
        "\n\n",
        "\r\n",
        "\r\n\r\n",
        " \n",
        "\n ",
        " \r\n  ",
        "\u00A0",
        "\u2003",
        "\u3000",
        "\u2028",
        "\u0085",
        "\u000B",
        "\f",
        "    \n\n    ",
        " \t \r\n\t "
    };
    private static final String[] PUNCTUATION = {
        ".",
        ",",
        "!",
        "?",
        ";",
        ":",
        "...",
        "—",
        "–",
        "«",
        "»",
        "“",
        "”",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "/",
        "\\",
        "//",
        "@",
        "#",
        "$",
        "%",
        "&",
        "*",
        "<|end|>",
        "<|endoftext|>",
        "<|image_1|>",
        "→",
        "€",
        "§",
        "¿",
        "¡",
        "。",
        "、",
        "！",
        "؟",
        "।",
        "/\n",
        "?\r\n"
    };
    private static final String[] CODE = {
        "for (int i = 0; i < n; i++) {\n    total += values[i];\n}\n",
        "def area(r):\n\treturn 3.14159 * r ** 2  # circle\n",
        "{\"id\": 17, \"name\": \"Zoë\", \"tags\": [\"a\", \"b\"], \"ok\": true}",
        "SELECT name, COUNT(*) FROM users WHERE age >= 18 GROUP BY name;\r\n",
        "if (x != null && x.isEmpty()) { return Optional.empty(); }",
        "<div class=\"row\"><span>&nbsp;Hello&amp;bye</span></div>",
        "    public static void main(String[] args) throws Exception {\n        System.out.println(args);\n    }\n",
        "let f = |a, b| a.wrapping_add(b) >> 3; // u32\n",
        "#include <stdio.h>\nint main(void){printf(\"%d\\n\",42);}\n",
        "git commit -m \"Fix: handle CRLF\" && ./mvnw -q verify",
        "https://example.org/path/to/file.tar.gz?q=1&x=%20y#frag",
        "λx.λy.x y ≡ Κ ∘ ∀ε>0 ∃δ>0: |x−a|<δ ⇒ |f(x)−f(a)|<ε"
    };

    private static volatile List<String> documents;

    private MultilingualCorpus() {}

    /** The corpus as documents (each a few hundred bytes to tens of kilobytes), ≥ 1 MB of UTF-8 in total. */
    public static List<String> documents() {
        List<String> d = documents;
        if (d == null) {
            synchronized (MultilingualCorpus.class) {
                d = documents;
                if (d == null) {
                    d = List.copyOf(generate(0x5EED_F00DL, 1_100_000));
                    documents = d;
                }
            }
        }
        return d;
    }

    /** Names of the scripts words are drawn from. */
    public static List<String> scriptNames() {
        return SCRIPTS.stream().map(Script::name).toList();
    }

    /** Total UTF-8 size of {@link #documents()}. */
    public static long utf8Bytes() {
        long total = 0;
        for (String doc : documents()) {
            total += doc.getBytes(StandardCharsets.UTF_8).length;
        }
        return total;
    }

    static List<String> generate(long seed, int minUtf8Bytes) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> docs = new ArrayList<>();
        long bytes = 0;
        int index = 0;
        while (bytes < minUtf8Bytes) {
            String doc = document(random, index++);
            docs.add(doc);
            bytes += doc.getBytes(StandardCharsets.UTF_8).length;
        }
        return docs;
    }

    private static String document(SplittableRandom random, int index) {
        StringBuilder sb = new StringBuilder();
        Script main = SCRIPTS.get(index % SCRIPTS.size());
        int elements = 40 + random.nextInt(200);
        if (index % 23 == 5) {
            veryLong(sb, random);
        }
        for (int e = 0; e < elements; e++) {
            int kind = random.nextInt(100);
            if (kind < 45) {
                word(sb, random, random.nextInt(10) < 8 ? main : pick(random, SCRIPTS));
            } else if (kind < 52) {
                word(sb, random, SCRIPTS.get(0));
                sb.append(pick(random, CONTRACTIONS));
            } else if (kind < 60) {
                sb.append(pick(random, NUMBERS));
            } else if (kind < 72) {
                sb.append(pick(random, SPACES));
            } else if (kind < 82) {
                sb.append(pick(random, PUNCTUATION));
            } else if (kind < 87) {
                sb.append(pick(random, EMOJI));
            } else if (kind < 90) {
                sb.append(pick(random, CODE));
            } else if (kind < 94) {
                combining(sb, random);
            } else if (kind < 97) {
                mixedCase(sb, random);
            } else {
                sb.append(' ');
            }
            if (random.nextInt(3) > 0) {
                sb.append(' ');
            }
        }
        return sb.toString();
    }

    private static void word(StringBuilder sb, SplittableRandom random, Script script) {
        int length = 1 + random.nextInt(script.from() >= 0x4E00 && !script.cased() ? 4 : 10);
        int caseStyle = script.cased() ? random.nextInt(4) : 0; // lower, Title, UPPER, mIxEd
        for (int i = 0; i < length; i++) {
            int cp = letterOf(random, script);
            boolean upper = caseStyle == 2 || (caseStyle == 1 && i == 0) || (caseStyle == 3 && random.nextBoolean());
            sb.appendCodePoint(upper ? Character.toUpperCase(cp) : Character.toLowerCase(cp));
        }
    }

    /** A code point of the script that is assigned (a letter or a mark), so the text has the script's classes. */
    private static int letterOf(SplittableRandom random, Script script) {
        for (int tries = 0; tries < 50; tries++) {
            int cp = script.from() + random.nextInt(script.to() - script.from() + 1);
            int type = Character.getType(cp);
            if (Character.isLetter(cp)
                    || type == Character.NON_SPACING_MARK
                    || type == Character.COMBINING_SPACING_MARK) {
                return cp;
            }
        }
        return script.from();
    }

    private static void combining(StringBuilder sb, SplittableRandom random) {
        int style = random.nextInt(4);
        if (style == 0) {
            sb.append("e\u0301 cafe\u0301 n\u0303o A\u030A"); // decomposed accents
        } else if (style == 1) {
            sb.append('\u0301').append("abc"); // a mark starting a word
        } else if (style == 2) {
            sb.append(" \u0308\u0308 x"); // marks after a space
        }
        for (int i = 0; i < 1 + random.nextInt(6); i++) { // stacked marks
            sb.append((char) ('a' + random.nextInt(26)));
            for (int m = random.nextInt(4); m > 0; m--) {
                sb.append((char) (0x300 + random.nextInt(0x70)));
            }
        }
    }

    private static void mixedCase(StringBuilder sb, SplittableRandom random) {
        String[] words = {
            "HTTPServer",
            "iPhone",
            "McDonald's",
            "ÆØÅæøå",
            "ǅemal",
            "ǈubljana",
            "XMLHttpRequest",
            "ΣΊΣΥΦΟΣ",
            "straße",
            "STRASSE",
            "İstanbul",
            "ıi",
            "ΚΑΛΗΜΈΡΑ",
            "ⅯⅯⅩⅩⅣ",
            "ĲsselMeer",
            "ꙊꙋꙌ",
            "Ꭰꭰ",
            "I'M",
            "WE'LL",
            "You'Re"
        };
        sb.append(pick(random, words));
    }

    private static void veryLong(StringBuilder sb, SplittableRandom random) {
        int style = random.nextInt(5);
        int n = 300 + random.nextInt(4000);
        for (int i = 0; i < n; i++) {
            switch (style) {
                case 0 -> sb.append('a');
                case 1 -> sb.append((char) ('a' + random.nextInt(26)));
                case 2 -> sb.append("=-".charAt(i % 2));
                case 3 -> sb.appendCodePoint(0x4E00 + random.nextInt(200));
                default -> sb.append((char) ('0' + random.nextInt(10)));
            }
        }
        sb.append(' ');
    }

    private static <T> T pick(SplittableRandom random, List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    private static String pick(SplittableRandom random, String[] values) {
        return values[random.nextInt(values.length)];
    }
}
