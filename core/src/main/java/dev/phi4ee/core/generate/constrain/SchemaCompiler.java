package dev.phi4ee.core.generate.constrain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.phi4ee.core.api.InvalidInputException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a JSON Schema (draft 2020-12 subset, docs/decisions/structured-output.md) into a {@link Grammar} whose
 * texts are exactly compact JSON documents valid for the schema (a subset of them: declared properties only, in
 * declared order; numbers without exponent). Any keyword outside the subset is rejected with an {@link
 * InvalidInputException} naming it and its JSON pointer — never ignored. Compiled grammars are cached by schema text.
 */
public final class SchemaCompiler {
    /** Nesting levels of free-form JSON values ({@code {}} schemas, JSON mode). */
    static final int FREE_DEPTH = 16;

    private static final int CACHE_SIZE = 64;
    private static final Map<String, Grammar> CACHE = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Grammar> eldest) {
            return size() > CACHE_SIZE;
        }
    });

    /** Keywords that only annotate: accepted and ignored. */
    private static final Set<String> ANNOTATIONS = Set.of(
            "title",
            "description",
            "$schema",
            "$id",
            "$comment",
            "examples",
            "default",
            "deprecated",
            "readOnly",
            "writeOnly",
            "$defs",
            "definitions");

    private static final Set<String> ASSERTIONS = Set.of(
            "type",
            "properties",
            "required",
            "additionalProperties",
            "enum",
            "const",
            "anyOf",
            "oneOf",
            "$ref",
            "items",
            "prefixItems",
            "minItems",
            "maxItems",
            "uniqueItems",
            "minLength",
            "maxLength",
            "pattern",
            "format",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum");

    private static final Set<String> OBJECT_WORDS = Set.of("properties", "required", "additionalProperties");
    private static final Set<String> ARRAY_WORDS =
            Set.of("items", "prefixItems", "minItems", "maxItems", "uniqueItems");
    private static final Set<String> STRING_WORDS = Set.of("minLength", "maxLength", "pattern", "format");
    private static final Set<String> NUMBER_WORDS =
            Set.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum");
    private static final List<String> TYPES =
            List.of("object", "array", "string", "number", "integer", "boolean", "null");

    private final JsonNode document;
    private final Map<String, Node.Ref> refs = new HashMap<>();
    private final Node[] free = new Node[FREE_DEPTH + 1];

    private SchemaCompiler(JsonNode document) {
        this.document = document;
    }

    /**
     * The grammar of documents valid for {@code schemaJson} (cached by its text).
     *
     * @throws InvalidInputException when the text is not JSON, uses a keyword outside the subset (named with its
     *     pointer), or no document satisfies it
     */
    public static Grammar compile(String schemaJson) {
        Grammar cached = CACHE.get(schemaJson);
        if (cached != null) {
            return cached;
        }
        JsonNode schema = parse(schemaJson, "JSON schema");
        SchemaCompiler c = new SchemaCompiler(schema);
        Node root = c.schema(schema, "#");
        Grammar g = new Grammar(root, List.of(), null, "json schema");
        c.checkRefs();
        if (!g.satisfiable()) {
            throw new InvalidInputException("JSON schema: no document satisfies it");
        }
        CACHE.put(schemaJson, g);
        return g;
    }

    /** As {@link #compile}, bypassing the cache (benchmarks measure the compile time with it). */
    public static Grammar compileUncached(String schemaJson) {
        CACHE.remove(schemaJson);
        return compile(schemaJson);
    }

    /** Checks that {@code schemaJson} compiles (see {@link #compile}). */
    public static void check(String schemaJson) {
        compile(schemaJson);
    }

    /** As {@link #check}, for the parameters of tool {@code name}; the message names the tool. */
    public static void checkToolParameters(String name, String schemaJson) {
        try {
            compile(schemaJson);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("tool '" + name + "' parameters: " + e.getMessage(), e);
        }
    }

    /** Any JSON object (OpenAI's {@code json_object}). */
    public static Grammar jsonObject() {
        return JSON_OBJECT;
    }

    private static final Grammar JSON_OBJECT = jsonObjectGrammar();

    private static Grammar jsonObjectGrammar() {
        return new Grammar(jsonObjectNode(), List.of(), null, "json object");
    }

    /** A fresh node of any JSON object. */
    static Node jsonObjectNode() {
        return new Node.Map(new SchemaCompiler(null).free(FREE_DEPTH - 1));
    }

    /** The node of a schema compiled on its own (tool parameters inside a tool-call grammar). */
    static Node node(String schemaJson) {
        JsonNode schema = parse(schemaJson, "JSON schema");
        SchemaCompiler c = new SchemaCompiler(schema);
        Node n = c.schema(schema, "#");
        c.checkRefs();
        return n;
    }

    static JsonNode parse(String json, String what) {
        try {
            JsonNode n = Json.MAPPER.readTree(json);
            if (n == null) {
                throw new InvalidInputException(what + " is empty");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(what + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static InvalidInputException error(String where, String message) {
        return new InvalidInputException("JSON schema: " + message + " at " + where);
    }

    // ---- schemas ----

    private Node schema(JsonNode s, String where) {
        if (s.isBoolean()) {
            if (!s.booleanValue()) {
                throw error(where, "the schema false admits nothing");
            }
            return free(FREE_DEPTH);
        }
        if (!s.isObject()) {
            throw error(where, "a schema must be an object or a boolean");
        }
        Set<String> present = new LinkedHashSet<>();
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (ANNOTATIONS.contains(k)) {
                if (k.equals("$id") && !where.equals("#")) {
                    throw error(where, "unsupported keyword '$id' (only at the root)");
                }
                continue;
            }
            if (!ASSERTIONS.contains(k)) {
                throw error(where, "unsupported keyword '" + k + "'");
            }
            present.add(k);
        }
        if (s.has("uniqueItems") && s.get("uniqueItems").asBoolean(false)) {
            throw error(where, "unsupported keyword 'uniqueItems' (true)");
        }
        for (String combinator : List.of("$ref", "anyOf", "oneOf")) {
            if (present.contains(combinator)) {
                if (present.size() > 1) {
                    Set<String> others = new LinkedHashSet<>(present);
                    others.remove(combinator);
                    throw error(where, "unsupported keyword combination: '" + combinator + "' with " + others);
                }
                if (combinator.equals("$ref")) {
                    return ref(s.get("$ref"), where);
                }
                Node union = anyOf(s.get(combinator), where, combinator);
                if (combinator.equals("oneOf")) {
                    checkDisjoint(s.get("oneOf"), where + "/oneOf");
                }
                return union;
            }
        }
        if (present.contains("const") || present.contains("enum")) {
            return values(s, present, where);
        }
        List<String> types = types(s, present, where);
        List<Node> options = new ArrayList<>();
        for (String t : types) {
            options.add(typed(t, s, where));
        }
        return options.size() == 1 ? options.getFirst() : new Node.Alt(options.toArray(Node[]::new));
    }

    private List<String> types(JsonNode s, Set<String> present, String where) {
        JsonNode t = s.get("type");
        List<String> types = new ArrayList<>();
        if (t == null) {
            if (present.stream().anyMatch(OBJECT_WORDS::contains)) {
                types.add("object");
            }
            if (present.stream().anyMatch(ARRAY_WORDS::contains)) {
                types.add("array");
            }
            if (present.stream().anyMatch(STRING_WORDS::contains)) {
                types.add("string");
            }
            if (present.stream().anyMatch(NUMBER_WORDS::contains)) {
                types.add("number");
            }
            if (types.isEmpty()) {
                types.addAll(List.of("object", "array", "string", "number", "boolean", "null"));
            }
            return types;
        }
        List<JsonNode> names = new ArrayList<>();
        if (t.isArray()) {
            t.forEach(names::add);
        } else {
            names.add(t);
        }
        for (JsonNode n : names) {
            if (!n.isTextual() || !TYPES.contains(n.textValue())) {
                throw error(where + "/type", "unknown type " + n);
            }
            if (!types.contains(n.textValue())) {
                types.add(n.textValue());
            }
        }
        if (types.isEmpty()) {
            throw error(where + "/type", "an empty type list admits nothing");
        }
        if (types.contains("number")) {
            types.remove("integer"); // integers are numbers
        }
        return types;
    }

    private Node typed(String type, JsonNode s, String where) {
        return switch (type) {
            case "object" -> object(s, where);
            case "array" -> array(s, where);
            case "string" -> string(s, where);
            case "number" -> number(s, where, false);
            case "integer" -> number(s, where, true);
            case "boolean" -> new Node.Alt(Node.Lit.of("true"), Node.Lit.of("false"));
            default -> Node.Lit.of("null");
        };
    }

    private Node object(JsonNode s, String where) {
        JsonNode props = s.get("properties");
        JsonNode additional = s.get("additionalProperties");
        Set<String> required = new LinkedHashSet<>();
        JsonNode req = s.get("required");
        if (req != null) {
            if (!req.isArray()) {
                throw error(where + "/required", "required must be an array of names");
            }
            for (JsonNode r : req) {
                if (!r.isTextual()) {
                    throw error(where + "/required", "required must be an array of names");
                }
                required.add(r.textValue());
            }
        }
        if (props == null && required.isEmpty()) {
            if (additional != null && additional.isBoolean() && !additional.booleanValue()) {
                return Node.Lit.of("{}");
            }
            Node value = additional == null || additional.isBoolean()
                    ? free(FREE_DEPTH - 1)
                    : schema(additional, where + "/additionalProperties");
            return new Node.Map(value);
        }
        if (additional != null && !additional.isBoolean()) {
            schema(additional, where + "/additionalProperties"); // checked; only declared properties are generated
        }
        if (props != null && !props.isObject()) {
            throw error(where + "/properties", "properties must be an object");
        }
        List<String> keys = new ArrayList<>();
        List<Node> values = new ArrayList<>();
        if (props != null) {
            for (Map.Entry<String, JsonNode> e : props.properties()) {
                keys.add(e.getKey());
                values.add(schema(e.getValue(), where + "/properties/" + pointerEscape(e.getKey())));
            }
        }
        for (String r : required) {
            if (!keys.contains(r)) {
                if (additional != null && additional.isBoolean() && !additional.booleanValue()) {
                    throw error(where + "/required", "'" + r + "' is required but not allowed by additionalProperties");
                }
                keys.add(r);
                values.add(
                        additional == null || additional.isBoolean()
                                ? free(FREE_DEPTH - 1)
                                : schema(additional, where + "/additionalProperties"));
            }
        }
        boolean[] isRequired = new boolean[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            isRequired[i] = required.contains(keys.get(i));
        }
        return new Node.Obj(keys.toArray(String[]::new), values.toArray(Node[]::new), isRequired);
    }

    private Node array(JsonNode s, String where) {
        List<Node> prefix = new ArrayList<>();
        JsonNode p = s.get("prefixItems");
        if (p != null) {
            if (!p.isArray()) {
                throw error(where + "/prefixItems", "prefixItems must be an array of schemas");
            }
            for (int i = 0; i < p.size(); i++) {
                prefix.add(schema(p.get(i), where + "/prefixItems/" + i));
            }
        }
        JsonNode itemsSchema = s.get("items");
        Node items;
        if (itemsSchema == null || (itemsSchema.isBoolean() && itemsSchema.booleanValue())) {
            items = free(FREE_DEPTH - 1);
        } else if (itemsSchema.isBoolean()) {
            items = null;
        } else {
            items = schema(itemsSchema, where + "/items");
        }
        int min = count(s, "minItems", where, 0);
        int max = count(s, "maxItems", where, -1);
        if (items == null) {
            max = max < 0 ? prefix.size() : Math.min(max, prefix.size());
        }
        if (max >= 0 && max < min) {
            throw error(where, "minItems " + min + " exceeds the items allowed (" + max + ")");
        }
        return new Node.Arr(prefix.toArray(Node[]::new), items, min, max);
    }

    private Node string(JsonNode s, String where) {
        int min = count(s, "minLength", where, 0);
        int max = count(s, "maxLength", where, -1);
        if (max >= 0 && max < min) {
            throw error(where, "minLength " + min + " exceeds maxLength " + max);
        }
        JsonNode pattern = s.get("pattern");
        JsonNode format = s.get("format");
        if (pattern != null && format != null) {
            throw error(where, "unsupported keyword combination: 'pattern' with 'format'");
        }
        CodePointDfa dfa = null;
        if (pattern != null) {
            if (!pattern.isTextual()) {
                throw error(where + "/pattern", "pattern must be a string");
            }
            dfa = RegexCompiler.compile(pattern.textValue(), where + "/pattern");
        } else if (format != null) {
            String f = format.asText();
            String regex = Formats.regex(f);
            if (regex == null) {
                throw error(where + "/format", "unsupported format '" + f + "' (supported: " + Formats.NAMES + ")");
            }
            dfa = RegexCompiler.compile(regex, where + "/format");
        }
        StringRule rule = new StringRule(min, max, dfa, where);
        if (!rule.satisfiable()) {
            throw error(where, "no string satisfies the length bounds together with the pattern or format");
        }
        return new Node.Str(rule);
    }

    private Node number(JsonNode s, String where, boolean integer) {
        BigDecimal lo = decimal(s, "minimum", where);
        BigDecimal hi = decimal(s, "maximum", where);
        BigDecimal xlo = decimal(s, "exclusiveMinimum", where);
        BigDecimal xhi = decimal(s, "exclusiveMaximum", where);
        boolean loExclusive = false;
        if (xlo != null && (lo == null || xlo.compareTo(lo) >= 0)) {
            lo = xlo;
            loExclusive = true;
        }
        boolean hiExclusive = false;
        if (xhi != null && (hi == null || xhi.compareTo(hi) <= 0)) {
            hi = xhi;
            hiExclusive = true;
        }
        NumberRule rule = new NumberRule(integer, lo, loExclusive, hi, hiExclusive);
        if (!rule.satisfiable()) {
            throw error(where, "no " + (integer ? "integer" : "number") + " satisfies the bounds");
        }
        return new Node.Num(rule);
    }

    private Node values(JsonNode s, Set<String> present, String where) {
        List<JsonNode> values = new ArrayList<>();
        if (s.has("const")) {
            values.add(s.get("const"));
        }
        if (s.has("enum")) {
            if (!s.get("enum").isArray()) {
                throw error(where + "/enum", "enum must be an array");
            }
            if (s.has("const")) {
                throw error(where, "unsupported keyword combination: 'const' with 'enum'");
            }
            s.get("enum").forEach(values::add);
        }
        for (String k : present) {
            if (!k.equals("const") && !k.equals("enum") && !k.equals("type")) {
                throw error(where, "unsupported keyword combination: '" + k + "' with enum/const");
            }
        }
        List<String> types = s.has("type") ? types(s, present, where) : List.of();
        Set<String> texts = new LinkedHashSet<>();
        for (JsonNode v : values) {
            if (types.isEmpty() || types.stream().anyMatch(t -> hasType(v, t))) {
                texts.add(Json.compact(v));
            }
        }
        if (texts.isEmpty()) {
            throw error(where, "no enum/const value has the allowed type");
        }
        Node[] lits = texts.stream().map(Node.Lit::of).toArray(Node[]::new);
        return lits.length == 1 ? lits[0] : new Node.Alt(lits);
    }

    private static boolean hasType(JsonNode v, String type) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "number" -> v.isNumber();
            case "integer" ->
                v.isIntegralNumber()
                        || (v.isNumber()
                                && v.decimalValue().stripTrailingZeros().scale() <= 0);
            case "boolean" -> v.isBoolean();
            default -> v.isNull();
        };
    }

    private Node anyOf(JsonNode list, String where, String keyword) {
        if (!list.isArray() || list.isEmpty()) {
            throw error(where + "/" + keyword, keyword + " must be a non-empty array of schemas");
        }
        Node[] options = new Node[list.size()];
        for (int i = 0; i < options.length; i++) {
            options[i] = schema(list.get(i), where + "/" + keyword + "/" + i);
        }
        return options.length == 1 ? options[0] : new Node.Alt(options);
    }

    /**
     * {@code oneOf} is generated as the union of its branches, which is exact only when no generated document matches
     * two branches ({@link OneOfDisjointness}); otherwise the schema is refused rather than answered with a document
     * that fails it.
     */
    private void checkDisjoint(JsonNode branches, String where) {
        int[] pair = new OneOfDisjointness(document).overlappingPair(branches);
        if (pair != null) {
            throw error(
                    where,
                    "oneOf branches " + pair[0] + " and " + pair[1] + " may both match one document (oneOf allows"
                            + " exactly one), so constrained decoding cannot guarantee a valid answer; make the"
                            + " branches disjoint (different types, or a required property with a different const in"
                            + " each) or use anyOf");
        }
    }

    private Node ref(JsonNode value, String where) {
        if (!value.isTextual() || !value.textValue().startsWith("#")) {
            throw error(where + "/$ref", "only local references (#/…) are supported, not " + value);
        }
        String pointer = value.textValue();
        Node.Ref ref = refs.get(pointer);
        if (ref != null) {
            return ref;
        }
        JsonNode target = document.at(pointer.substring(1));
        if (target.isMissingNode()) {
            throw error(where + "/$ref", "the reference " + pointer + " names nothing");
        }
        ref = new Node.Ref(pointer);
        refs.put(pointer, ref); // before compiling the target: it may refer back
        ref.body = schema(target, pointer);
        return ref;
    }

    /** Rejects reference cycles that consume no input (they could never end). */
    private void checkRefs() {
        for (Node.Ref r : refs.values()) {
            if (reachesLeft(r.body, r, Collections.newSetFromMap(new java.util.IdentityHashMap<>()))) {
                throw new InvalidInputException(
                        "JSON schema: the reference " + r.pointer + " refers to itself without any content between");
            }
        }
    }

    private static boolean reachesLeft(Node n, Node.Ref target, Set<Node> seen) {
        if (n == target) {
            return true;
        }
        if (!seen.add(n)) {
            return false;
        }
        return switch (n) {
            case Node.Ref r -> reachesLeft(r.body, target, seen);
            case Node.Alt a -> {
                for (Node o : a.options) {
                    if (reachesLeft(o, target, seen)) {
                        yield true;
                    }
                }
                yield false;
            }
            case Node.Seq q -> reachesLeft(q.parts[0], target, seen);
            default -> false;
        };
    }

    /** Any JSON value nested at most {@code depth} levels. */
    private Node free(int depth) {
        if (free[depth] == null) {
            Node str = new Node.Str(StringRule.ANY);
            Node num = new Node.Num(new NumberRule(false, null, false, null, false));
            Node t = Node.Lit.of("true");
            Node f = Node.Lit.of("false");
            Node nul = Node.Lit.of("null");
            free[depth] = depth == 0
                    ? new Node.Alt(Node.Lit.of("{}"), Node.Lit.of("[]"), str, num, t, f, nul)
                    : new Node.Alt(
                            new Node.Map(free(depth - 1)),
                            new Node.Arr(new Node[0], free(depth - 1), 0, -1),
                            str,
                            num,
                            t,
                            f,
                            nul);
        }
        return free[depth];
    }

    private static int count(JsonNode s, String keyword, String where, int absent) {
        JsonNode v = s.get(keyword);
        if (v == null) {
            return absent;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() < 0) {
            throw error(where + "/" + keyword, keyword + " must be a non-negative integer");
        }
        return v.intValue();
    }

    private static BigDecimal decimal(JsonNode s, String keyword, String where) {
        JsonNode v = s.get(keyword);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            throw error(where + "/" + keyword, keyword + " must be a number (draft 2020-12)");
        }
        return v.decimalValue();
    }

    private static String pointerEscape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
