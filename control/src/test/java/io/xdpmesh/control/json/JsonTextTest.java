package io.xdpmesh.control.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTextTest {
    @Test
    void parsesWhatItWrites() {
        String tricky = "a\"b\\c\nd\te\u0001";
        Object v = JsonText.parse("{\"s\": " + JsonText.str(tricky) + ", \"n\": -12.5e1, \"l\": [true, false, null, {}],"
                + " \"e\": []}");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(tricky, m.get("s"));
        assertEquals(-125.0, m.get("n"));
        assertEquals(java.util.Arrays.asList(true, false, null, Map.of()), m.get("l"));
        assertEquals(List.of(), m.get("e"));
    }

    @Test
    void badInputIsAnErrorNamingTheOffset() {
        for (String bad : new String[] {"", "{", "{\"a\" 1}", "[1,]", "\"open", "{\"a\":1} x", "tru", "{\"a\":\"\\u12\"}"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonText.parse(bad), bad);
            assertEquals(true, e.getMessage().startsWith("bad JSON at offset"), e.getMessage());
        }
    }
}
