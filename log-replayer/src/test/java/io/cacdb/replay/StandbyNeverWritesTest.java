package io.cacdb.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.client.DaxClient;
import io.cacdb.engine.bufferpool.DurableLog;
import io.cacdb.engine.checkpoint.Checkpointer;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.engine.volume.VolumeReader;
import io.cacdb.engine.volume.VolumeWriter;
import io.cacdb.engine.wal.LogTruncator;
import io.cacdb.engine.wal.LogWriter;
import io.cacdb.ioscheduler.IoScheduler;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The standby never writes, structurally: the replayer is built from a {@link VolumeReader}, and no class of the
 * {@code log-replayer} module holds, takes or returns any type with a write path to storage or to the log. (That the
 * counters of a spying volume stay at zero is checked by every standby test, and on a real DAX cluster by
 * {@code DaxClusterReplayTest}.)
 */
class StandbyNeverWritesTest {

    static final Set<Class<?>> WRITE_PATHS = Set.of(VolumeWriter.class, MemoryVolume.class, DaxClient.class,
            DurableLog.class, LogWriter.class, LogTruncator.class, Checkpointer.class);

    @Test
    void theReplayerIsBuiltFromAVolumeReaderOnly() throws Exception {
        Method create = StandbyReplayer.class.getMethod("create", VolumeReader.class, IoScheduler.class,
                StandbyConfig.class, MeterRegistry.class);
        assertEquals(VolumeReader.class, create.getParameterTypes()[0]);
        assertTrue(!VolumeWriter.class.isAssignableFrom(VolumeReader.class), "a reader is not a writer");
    }

    @Test
    void noReplayerClassTouchesAWritePath() throws Exception {
        Path root = Path.of(StandbyReplayer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(p -> p.toString().endsWith(".class")).forEach(p -> classes.add(root.relativize(p)
                    .toString().replace('/', '.').replace(".class", "")));
        }
        assertTrue(classes.size() > 20, "found the module's classes: " + classes.size());
        List<String> offences = new ArrayList<>();
        for (String name : classes) {
            Class<?> c = Class.forName(name, false, getClass().getClassLoader());
            for (Field f : c.getDeclaredFields()) {
                check(offences, c + " field " + f.getName(), f.getType());
            }
            List<Executable> calls = new ArrayList<>(List.of(c.getDeclaredConstructors()));
            calls.addAll(List.of(c.getDeclaredMethods()));
            for (Executable e : calls) {
                for (Class<?> p : e.getParameterTypes()) {
                    check(offences, c + " " + e.getName() + " parameter", p);
                }
                if (e instanceof Method m) {
                    check(offences, c + " " + m.getName() + " returns", m.getReturnType());
                }
            }
        }
        assertEquals(List.of(), offences, "types with a write path in the replayer");
        System.out.println("StandbyNeverWritesTest: " + classes.size() + " classes, none with a write path");
    }

    private static void check(List<String> offences, String where, Class<?> type) {
        for (Class<?> w : WRITE_PATHS) {
            if (w.isAssignableFrom(type)) {
                offences.add(where + ": " + type.getName());
            }
        }
    }
}
