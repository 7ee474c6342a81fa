package io.cacdb.ioscheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.ioscheduler.IoSchedulerConfig.ClassLimits;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IoSchedulerConfigTest {

    private static Map<IoClass, ClassLimits> all(ClassLimits log, ClassLimits other) {
        Map<IoClass, ClassLimits> m = new EnumMap<>(IoClass.class);
        for (IoClass c : IoClass.values()) {
            m.put(c, c == IoClass.LOG_WRITE ? log : other);
        }
        return m;
    }

    @Test
    void defaultsAreValidAndReserveLogSlots() {
        IoSchedulerConfig d = IoSchedulerConfig.defaults();
        assertTrue(d.logWriteReservedSlots() >= 1);
        assertTrue(d.limits(IoClass.REPLAY_READ).inFlightCeiling() > d.limits(IoClass.REPLAY_READ).inFlightMax(),
                "replay reads can be raised at runtime");
    }

    @Test
    void rejectsReservedNotBelowGlobalCap() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new IoSchedulerConfig(4, 4, 8, all(new ClassLimits(2, 3, 1), new ClassLimits(1, 1, 1))));
        assertTrue(e.getMessage().contains("logWriteReservedSlots"), e.getMessage());
    }

    @Test
    void rejectsLogLimitBelowReserve() {
        assertThrows(IllegalArgumentException.class,
                () -> new IoSchedulerConfig(8, 3, 8, all(new ClassLimits(2, 3, 1), new ClassLimits(1, 1, 1))));
    }

    @Test
    void rejectsLogCeilingThatCouldStarveOthers() {
        assertThrows(IllegalArgumentException.class,
                () -> new IoSchedulerConfig(8, 2, 8, all(new ClassLimits(2, 8, 1), new ClassLimits(1, 1, 1))));
    }

    @Test
    void rejectsOtherCeilingAboveNonReservedSlots() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new IoSchedulerConfig(8, 2, 8, all(new ClassLimits(2, 3, 1), new ClassLimits(1, 7, 1))));
        assertTrue(e.getMessage().contains("non-reserved"), e.getMessage());
    }

    @Test
    void rejectsMissingClassAndBadClassLimits() {
        Map<IoClass, ClassLimits> m = all(new ClassLimits(2, 3, 1), new ClassLimits(1, 1, 1));
        m.remove(IoClass.PAGE_WRITE);
        assertThrows(IllegalArgumentException.class, () -> new IoSchedulerConfig(8, 2, 8, m));
        assertThrows(IllegalArgumentException.class, () -> new ClassLimits(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ClassLimits(3, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> new ClassLimits(1, 1, 0));
    }

    @Test
    void withReplacesOneClass() {
        IoSchedulerConfig c = IoSchedulerConfig.defaults().with(IoClass.PAGE_READ, new ClassLimits(3, 4, 5));
        assertEquals(new ClassLimits(3, 4, 5), c.limits(IoClass.PAGE_READ));
    }
}
