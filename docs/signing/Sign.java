import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Prints the CSSS sign content (the canonical string) of a JSON request body
 * read from standard input, then its sign. Java 17, no libraries:
 *
 * <pre>java Sign.java SECRET &lt; body.json</pre>
 */
public class Sign {
    /** A JSON number kept as the literal it was sent as: 10.0 stays 10.0. */
    record Num(String text) {}

    /** Keys are sorted by their UTF-8 bytes, not by UTF-16 chars. */
    static final Comparator<String> BYTE_ORDER = (a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java Sign.java SECRET < body.json");
            System.exit(2);
        }
        String text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        if (!(new Parser(text).document() instanceof Map<?, ?> body)) {
            throw new IllegalArgumentException("the body must be a JSON object");
        }
        body.remove("sign"); // at the top level only
        StringBuilder content = new StringBuilder();
        dump(content, clean(body));
        byte[] bytes = content.toString().getBytes(StandardCharsets.UTF_8);

        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(args[0].getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String sign = Base64.getEncoder().encodeToString(mac.doFinal(bytes));

        System.out.writeBytes(bytes); // raw UTF-8, whatever the platform charset
        System.out.writeBytes(("\n" + sign + "\n").getBytes(StandardCharsets.UTF_8));
        System.out.flush();
    }

    /**
     * Drops the members of objects whose value is null, "", [] or {},
     * innermost first. Arrays keep all their elements.
     */
    static Object clean(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new TreeMap<>(BYTE_ORDER);
            for (Map.Entry<?, ?> e : map.entrySet()) {
                Object item = clean(e.getValue());
                if (!isEmpty(item)) {
                    out.put((String) e.getKey(), item);
                }
            }
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object item : list) {
                out.add(clean(item));
            }
            return out;
        }
        return value;
    }

    static boolean isEmpty(Object v) {
        return v == null || "".equals(v)
                || v instanceof Map<?, ?> m && m.isEmpty()
                || v instanceof List<?> l && l.isEmpty();
    }

    /** Writes compact JSON; maps are TreeMaps in byte order by now. */
    static void dump(StringBuilder b, Object v) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof Boolean || v instanceof Num) {
            b.append(v instanceof Num n ? n.text() : v.toString());
        } else if (v instanceof String s) {
            quote(b, s);
        } else if (v instanceof List<?> list) {
            b.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) b.append(',');
                dump(b, list.get(i));
            }
            b.append(']');
        } else {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!first) b.append(',');
                first = false;
                quote(b, (String) e.getKey());
                b.append(':');
                dump(b, e.getValue());
            }
            b.append('}');
        }
    }

    /** Escapes only '"', '\' and control characters; '/' and non-ASCII stay as they are. */
    static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /** A small recursive-descent JSON parser: objects, arrays, strings, Num, Boolean, null. */
    static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        Object document() {
            Object v = value();
            space();
            if (i != s.length()) throw error("unexpected data after the JSON value");
            return v;
        }

        private IllegalArgumentException error(String msg) {
            return new IllegalArgumentException(msg + " at offset " + i);
        }

        private void space() {
            while (i < s.length() && " \t\n\r".indexOf(s.charAt(i)) >= 0) i++;
        }

        private char peek() {
            if (i >= s.length()) throw error("unexpected end of input");
            return s.charAt(i);
        }

        private void expect(char c) {
            if (peek() != c) throw error("expected '" + c + "'");
            i++;
        }

        private Object value() {
            space();
            char c = peek();
            if (c == '{') {
                i++;
                Map<String, Object> obj = new LinkedHashMap<>();
                space();
                if (peek() == '}') {
                    i++;
                    return obj;
                }
                while (true) {
                    space();
                    if (peek() != '"') throw error("expected a string key");
                    String key = string();
                    space();
                    expect(':');
                    obj.put(key, value()); // a later duplicate key wins
                    space();
                    if (peek() == ',') {
                        i++;
                        continue;
                    }
                    expect('}');
                    return obj;
                }
            }
            if (c == '[') {
                i++;
                List<Object> list = new ArrayList<>();
                space();
                if (peek() == ']') {
                    i++;
                    return list;
                }
                while (true) {
                    list.add(value());
                    space();
                    if (peek() == ',') {
                        i++;
                        continue;
                    }
                    expect(']');
                    return list;
                }
            }
            if (c == '"') return string();
            if (s.startsWith("true", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("false", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            if (s.startsWith("null", i)) {
                i += 4;
                return null;
            }
            return number();
        }

        private Num number() {
            int start = i;
            if (i < s.length() && s.charAt(i) == '-') i++;
            if (i < s.length() && s.charAt(i) == '0') {
                i++;
            } else if (digits() == 0) {
                throw error("invalid number");
            }
            if (i < s.length() && s.charAt(i) == '.') {
                i++;
                if (digits() == 0) throw error("invalid number");
            }
            if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                i++;
                if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
                if (digits() == 0) throw error("invalid number");
            }
            return new Num(s.substring(start, i));
        }

        private int digits() {
            int start = i;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
            return i - start;
        }

        private String string() {
            i++; // opening quote
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = peek();
                i++;
                if (c == '"') return b.toString();
                if (c < 0x20) throw error("control character in string");
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = peek();
                i++;
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        int code = 0;
                        for (int k = 0; k < 4; k++) {
                            char h = peek();
                            int d = h < 0x80 ? Character.digit(h, 16) : -1;
                            if (d < 0) throw error("invalid escape");
                            code = code * 16 + d;
                            i++;
                        }
                        b.append((char) code); // surrogate pairs join up in the String
                    }
                    default -> throw error("invalid escape");
                }
            }
        }
    }
}
