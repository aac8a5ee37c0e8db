package dev.phi4ee.core.generate.constrain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Schemas for the validity tests: hand-written adversarial ones, and seeded random ones. All are bounded (every
 * string, array and recursion has a bound or a way out), so that any walk through them ends within a few hundred
 * tokens.
 */
public final class ConstrainedSchemas {
    private ConstrainedSchemas() {}

    /** The validation errors of {@code document} against {@code schema} (independent validator); empty: valid. */
    public static List<String> errors(String schema, String document) {
        return new SchemaValidator(schema).errors(document);
    }

    /** Name → schema. */
    public static Map<String, String> adversarial() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("invoice", """
                {"type":"object","properties":{
                  "invoiceNumber":{"type":"string","pattern":"^INV-[0-9]{4,6}$"},
                  "date":{"type":"string","format":"date"},
                  "vendor":{"type":"string","minLength":1,"maxLength":12},
                  "total":{"type":"number","minimum":0,"maximum":100000},
                  "currency":{"enum":["EUR","USD","GBP"]},
                  "lines":{"type":"array","maxItems":3,"items":{"type":"object","properties":{
                     "description":{"type":"string","maxLength":10},"quantity":{"type":"integer","minimum":1,"maximum":99}},
                     "required":["description","quantity"],"additionalProperties":false}}},
                 "required":["invoiceNumber","date","vendor","total","currency","lines"],"additionalProperties":false}""");
        m.put("quotes-and-escapes", """
                {"type":"object","properties":{"a\\"b":{"type":"string","maxLength":6},"back\\\\slash":{"const":"x\\"y\\\\z\\n"},
                 "ctl":{"type":"string","pattern":"^[\\\\u0000-\\\\u001f\\"\\\\\\\\]{2,4}$"}},"required":["a\\"b","back\\\\slash","ctl"]}""");
        m.put("non-ascii", """
                {"type":"object","properties":{"名前":{"type":"string","minLength":2,"maxLength":5,"pattern":"^[ぁ-んé😀]+$"},
                 "emoji":{"enum":["😀","😀😀","é"]}},"required":["名前","emoji"],"additionalProperties":false}""");
        m.put("max-length-zero", """
                {"type":"array","prefixItems":[{"type":"string","maxLength":0},{"type":"string","minLength":3,"maxLength":3}],"items":false,"minItems":2}""");
        m.put("enum-shared-prefixes", """
                {"type":"array","minItems":1,"maxItems":4,"items":{"enum":["a","ab","abc","abcd",1,12,123,true,null,{"k":"v"},["x"]]}}""");
        m.put("numbers-at-bounds", """
                {"type":"array","minItems":1,"maxItems":4,"items":{"anyOf":[
                  {"type":"integer","minimum":-5,"maximum":5},
                  {"type":"number","exclusiveMinimum":0.5,"exclusiveMaximum":0.75},
                  {"type":"integer","exclusiveMinimum":99,"exclusiveMaximum":101},
                  {"type":"number","minimum":-0.001,"maximum":-0.001},
                  {"type":"integer","minimum":1000000000000}]}}""");
        m.put("deep-nesting", """
                {"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer","minimum":0,"maximum":9},
                  "next":{"$ref":"#/$defs/node"}},"required":["v"],"additionalProperties":false}},
                 "type":"array","maxItems":2,"items":{"type":"array","maxItems":2,"items":{"type":"array","maxItems":2,
                  "items":{"$ref":"#/$defs/node"}}}}""");
        m.put("formats", """
                {"type":"object","properties":{"d":{"type":"string","format":"date"},"t":{"type":"string","format":"time"},
                 "dt":{"type":"string","format":"date-time"},"u":{"type":"string","format":"uuid"},
                 "e":{"type":"string","format":"email","maxLength":30}},"required":["d","t","dt","u","e"]}""");
        m.put("type-lists-and-oneof", """
                {"type":"object","properties":{"x":{"type":["string","null"],"maxLength":3},
                 "y":{"oneOf":[{"type":"boolean"},{"type":"object","properties":{"k":{"const":1}},"required":["k"],"additionalProperties":false}]},
                 "z":{"type":["integer","boolean"],"minimum":3,"maximum":4}},"required":["x","y","z"]}""");
        m.put("optional-properties", """
                {"type":"object","properties":{"a":{"type":"boolean"},"b":{"type":"null"},"c":{"type":"integer","maximum":3,"minimum":0},
                 "d":{"type":"string","maxLength":2}},"required":["c"],"additionalProperties":false}""");
        return m;
    }

    /** {@code count} random bounded schemas from {@code seed}. */
    public static List<String> random(long seed, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(schema(r, 3));
        }
        return out;
    }

    /** {@code count} random {@code oneOf}s of two or three random branches (many overlap, many do not). */
    public static List<String> randomOneOfs(long seed, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder b = new StringBuilder("{\"oneOf\":[");
            int n = 2 + r.nextInt(2);
            for (int k = 0; k < n; k++) {
                b.append(k > 0 ? "," : "").append(r.nextInt(4) == 0 ? discriminated(r, k) : schema(r, 1));
            }
            out.add(b.append("]}").toString());
        }
        return out;
    }

    /** An object branch with a {@code kind} const (a discriminator) and one more random property. */
    private static String discriminated(SplittableRandom r, int k) {
        return "{\"type\":\"object\",\"properties\":{\"kind\":{\"const\":\"k" + k + "\"},\"v\":" + schema(r, 0)
                + "},\"required\":[\"kind\"" + (r.nextBoolean() ? ",\"v\"" : "") + "]}";
    }

    private static String schema(SplittableRandom r, int depth) {
        int kind = r.nextInt(depth > 0 ? 10 : 6);
        return switch (kind) {
            case 0 ->
                "{\"type\":\"string\",\"minLength\":" + r.nextInt(3) + ",\"maxLength\":" + (3 + r.nextInt(8)) + "}";
            case 1 ->
                "{\"type\":\"integer\",\"minimum\":" + (r.nextInt(200) - 100) + ",\"maximum\":" + (100 + r.nextInt(50))
                        + "}";
            case 2 ->
                "{\"type\":\"number\",\"exclusiveMinimum\":" + (r.nextInt(10) - 5) + ".25,\"maximum\":"
                        + (6 + r.nextInt(10)) + "}";
            case 3 -> "{\"enum\":[\"red\",\"re\",\"r\\\"ed\",42,false]}";
            case 4 -> "{\"type\":[\"boolean\",\"null\"]}";
            case 5 -> "{\"type\":\"string\",\"pattern\":\"^[a-c]{1,3}(-[0-9]{2})?$\"}";
            case 6, 7 -> {
                StringBuilder b = new StringBuilder("{\"type\":\"object\",\"properties\":{");
                int n = 1 + r.nextInt(3);
                StringBuilder req = new StringBuilder();
                for (int k = 0; k < n; k++) {
                    String key = "k" + k + (r.nextBoolean() ? "é" : "");
                    b.append(k > 0 ? "," : "")
                            .append('"')
                            .append(key)
                            .append("\":")
                            .append(schema(r, depth - 1));
                    if (r.nextBoolean()) {
                        req.append(req.isEmpty() ? "" : ",")
                                .append('"')
                                .append(key)
                                .append('"');
                    }
                }
                b.append("},\"required\":[").append(req).append("]");
                b.append(r.nextBoolean() ? ",\"additionalProperties\":false}" : "}");
                yield b.toString();
            }
            case 8 ->
                "{\"type\":\"array\",\"minItems\":" + r.nextInt(2) + ",\"maxItems\":" + (2 + r.nextInt(2))
                        + ",\"items\":" + schema(r, depth - 1) + "}";
            default -> "{\"anyOf\":[" + schema(r, depth - 1) + "," + schema(r, depth - 1) + "]}";
        };
    }
}
