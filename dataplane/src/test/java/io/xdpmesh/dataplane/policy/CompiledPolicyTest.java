package io.xdpmesh.dataplane.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CompiledPolicyTest {
    static final String FE = "spiffe://mesh.local/ns/shop/sa/frontend";
    static final String BE = "spiffe://mesh.local/ns/shop/sa/backend";
    static final String DB = "spiffe://mesh.local/ns/data/sa/postgres";
    static final String OTHER_TD = "spiffe://other.org/ns/shop/sa/frontend";

    @Test
    void selectorsMatchWholeSegments() {
        SpiffeSelector shop = SpiffeSelector.parse("spiffe://mesh.local/ns/shop/sa/*");
        assertTrue(shop.matches(FE));
        assertTrue(shop.matches(BE));
        assertFalse(shop.matches(DB));
        assertFalse(shop.matches(OTHER_TD));
        assertFalse(shop.matches("spiffe://mesh.local/ns/shop/sa"));
        assertFalse(shop.matches("spiffe://mesh.local/ns/shop/sa/frontend/extra"));
        assertTrue(SpiffeSelector.parse("spiffe://*/ns/shop/sa/frontend").matches(OTHER_TD));
        SpiffeSelector any = SpiffeSelector.parse("spiffe://mesh.local/**");
        assertTrue(any.matches(DB));
        assertFalse(any.matches(OTHER_TD));
        assertTrue(SpiffeSelector.parse("spiffe://mesh.local/ns/*/sa/postgres").matches(DB));
    }

    @Test
    void badSelectorsAreRejectedWithTheReason() {
        assertThrows(IllegalArgumentException.class, () -> SpiffeSelector.parse("mesh.local/ns/a"));
        assertThrows(IllegalArgumentException.class, () -> SpiffeSelector.parse("spiffe://mesh.local/ns//sa"));
        assertThrows(IllegalArgumentException.class, () -> SpiffeSelector.parse("spiffe://mesh.local/ns/fo*/sa"));
        assertThrows(IllegalArgumentException.class, () -> SpiffeSelector.parse("spiffe://mesh.local/**/sa"));
        assertThrows(IllegalArgumentException.class, () -> Verdict.parse("permit"));
    }

    @Test
    void firstMatchingRuleWinsElseDefault() {
        List<String> ids = List.of(FE, BE, DB);
        List<PolicyRule> rules = List.of(
                new PolicyRule(SpiffeSelector.parse(FE), SpiffeSelector.parse(DB), Verdict.DENY),
                new PolicyRule(SpiffeSelector.parse("spiffe://mesh.local/ns/shop/sa/*"),
                        SpiffeSelector.parse("spiffe://mesh.local/**"), Verdict.ENCRYPT),
                new PolicyRule(SpiffeSelector.parse("spiffe://mesh.local/**"),
                        SpiffeSelector.parse("spiffe://mesh.local/ns/shop/sa/*"), Verdict.AUTH));
        CompiledPolicy p = CompiledPolicy.compile(ids, rules, Verdict.ALLOW);
        assertEquals(Verdict.DENY, p.verdict(0, 2));
        assertEquals(Verdict.ENCRYPT, p.verdict(0, 1));
        assertEquals(Verdict.ENCRYPT, p.verdict(1, 2));
        assertEquals(Verdict.AUTH, p.verdict(2, 0));
        assertEquals(Verdict.ALLOW, p.verdict(2, 2));
        assertEquals(Verdict.ALLOW, p.verdict(-1, 0), "unknown identity falls to the default");
        assertEquals(Verdict.ALLOW, p.verdict(0, 3));
    }

    @Test
    void defaultDenyIsFailClosed() {
        CompiledPolicy p = CompiledPolicy.compile(List.of(FE, BE), List.of(), Verdict.DENY);
        assertEquals(Verdict.DENY, p.verdict(0, 1));
        assertEquals(Verdict.DENY, p.verdict(-1, -1));
    }
}
