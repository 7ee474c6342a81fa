package io.cacdb.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The system property's values. Halting itself ends the JVM, so it is shown by the process-level test that uses it
 * ({@code StandbyKilledDuringTakeoverTest} in cli); here: which values mean what, and that a bad one is refused with a
 * message naming the property and the points there are.
 */
class TakeoverFaultTest {

    @Test
    void absentOrBlankMeansNoFault() {
        for (String value : new String[] {null, "", "  "}) {
            TakeoverFault fault = TakeoverFault.parse(value);
            for (TakeoverFault.Point p : TakeoverFault.Point.values()) {
                fault.reached(p); // returns: the JVM would be gone otherwise
            }
        }
    }

    @Test
    void aHaltIsOnlyAtItsOwnPoint() {
        TakeoverFault.parse("recovered").reached(TakeoverFault.Point.FENCED); // returns: not its point
        TakeoverFault.parse(" fenced ").reached(TakeoverFault.Point.RECOVERED);
    }

    @Test
    void eachPointHasItsKey() {
        assertEquals("fenced", TakeoverFault.Point.FENCED.key());
        assertEquals("recovered", TakeoverFault.Point.RECOVERED.key());
    }

    @Test
    void aValueNamingNoPointIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TakeoverFault.parse("after-fence"));
        assertTrue(e.getMessage().contains(TakeoverFault.HALT_PROPERTY + " = 'after-fence'"), e.getMessage());
        assertTrue(e.getMessage().contains("[fenced, recovered]"), e.getMessage());
    }
}
