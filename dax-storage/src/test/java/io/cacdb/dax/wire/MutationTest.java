package io.cacdb.dax.wire;

import io.cacdb.leakcheck.NoLeaks;
import io.cacdb.leakcheck.LeakRecorder;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Valid frames with random bytes flipped, overwritten, inserted and deleted, fed to fresh decoding pipelines in
 * random chunks. Decoding must only ever produce messages, {@link DecodedRequest.Invalid} refusals, or the
 * documented exceptions ({@link DecoderException} wrapping {@link DaxProtocolException}, {@link
 * TooLongFrameException}, {@link CorruptedFrameException}); framing must follow the (mutated) length fields; every
 * frame that still decodes must re-encode to exactly its bytes (one encoding per message); the request id and
 * opcode of a refused request are echoed; nothing leaks; and the outcome does not depend on how bytes were split.
 *
 * <p>Seeded: the seed is printed, and {@code -Ddax.wire.seed=N} replays a run ({@code -Ddax.wire.mutations=N} sets
 * the number of cases). A failure names the seed, the case and the mutated bytes.
 */
@ExtendWith(NoLeaks.class)
class MutationTest {

    private static final int DEFAULT_CASES = 3000;
    /** Leaks are collected every this many cases, so a leak is pinned to a small range of cases. */
    private static final int LEAK_CHECK_EVERY = 500;

    private static final List<Samples.Case<DaxResponse>> RESPONSES = Samples.responses();
    private static final WireFormat.ReadAddressLookup READ_ADDRESSES = Samples.readAddresses(RESPONSES);

    @Test
    void mutatedFramesDecodeOnlyToDocumentedOutcomes() {
        long seed = Long.getLong("dax.wire.seed", new Random().nextLong());
        int cases = Integer.getInteger("dax.wire.mutations", DEFAULT_CASES);
        System.out.println("MutationTest seed=" + seed + " cases=" + cases
                + " (replay with -Ddax.wire.seed=" + seed + ")");
        Random random = new Random(seed);

        List<byte[]> requestFrames = Samples.requests().stream().map(c -> Samples.encode(c.sent())).toList();
        List<byte[]> responseFrames = RESPONSES.stream().map(c -> Samples.encode(c.sent())).toList();
        int[] outcomes = new int[4];

        for (int n = 0; n < cases; n++) {
            boolean requests = random.nextBoolean();
            List<byte[]> pool = requests ? requestFrames : responseFrames;
            List<byte[]> picked = new ArrayList<>();
            for (int i = 1 + random.nextInt(3); i > 0; i--) {
                picked.add(pool.get(random.nextInt(pool.size())));
            }
            byte[] input = FrameEdit.mutate(Samples.concat(picked), random);
            String where = "seed " + seed + " case " + n + " (" + (requests ? "requests" : "responses") + ") bytes "
                    + HexFormat.of().formatHex(input);

            List<Object> whole = run(requests, input, null);
            List<Object> chunked = run(requests, input, random);
            check(requests, input, whole, where, outcomes);
            if (!signature(whole).equals(signature(chunked))) {
                fail("outcome depends on chunking, " + where + "\nwhole:   " + signature(whole)
                        + "\nchunked: " + signature(chunked));
            }
            if ((n + 1) % LEAK_CHECK_EVERY == 0 || n == cases - 1) {
                List<LeakRecorder.Leak> leaks = LeakRecorder.collect(1);
                if (!leaks.isEmpty()) {
                    fail("leak within cases " + (n + 1 - LEAK_CHECK_EVERY) + ".." + n + " of seed " + seed + ": "
                            + leaks);
                }
            }
        }
        System.out.println("MutationTest outcomes: decoded=" + outcomes[0] + " refused=" + outcomes[1]
                + " bad-length=" + outcomes[2] + " incomplete=" + outcomes[3]);
    }

    // ------------------------------------------------------------------------------------------ running

    /** Decodes {@code input} whole ({@code random} null) or in random chunks. */
    private static List<Object> run(boolean requests, byte[] input, Random random) {
        Pipe pipe = requests ? Pipe.server() : Pipe.client(READ_ADDRESSES);
        if (random == null) {
            pipe.feed(input);
        } else if (input.length <= 512 && random.nextInt(4) == 0) {
            pipe.feedBytewise(input);
        } else {
            int at = 0;
            while (at < input.length) {
                int next = Math.min(input.length, at + 1 + random.nextInt(Math.max(1, input.length / 3)));
                pipe.feed(input, at, next);
                at = next;
            }
        }
        return pipe.finish();
    }

    private static void check(boolean requests, byte[] input, List<Object> events, String where, int[] outcomes) {
        // What framing must produce, read from the mutated length fields.
        List<byte[]> frames = new ArrayList<>();
        Class<? extends Throwable> badLength = null;
        int at = 0;
        while (at + 4 <= input.length) {
            long length = ByteBuffer.wrap(input, at, 4).getInt() & 0xFFFF_FFFFL;
            if (length < WireLimits.HEADER_BYTES) {
                badLength = CorruptedFrameException.class;
                break;
            }
            if (length > WireLimits.MAX_FRAME_BYTES) {
                badLength = TooLongFrameException.class;
                break;
            }
            if (at + 4 + length > input.length) {
                break;
            }
            frames.add(Arrays.copyOfRange(input, at, at + 4 + (int) length));
            at += 4 + (int) length;
        }
        int expectedEvents = frames.size() + (badLength != null ? 1 : 0);
        if (events.size() != expectedEvents) {
            fail("expected " + frames.size() + " frames" + (badLength != null ? " then " + badLength.getSimpleName()
                    : "") + ", got " + events + "\n" + where);
        }
        if (badLength == null && at < input.length) {
            outcomes[3]++;
        }
        for (int i = 0; i < frames.size(); i++) {
            checkFrame(requests, frames.get(i), events.get(i), where + " frame " + i, outcomes);
        }
        if (badLength != null) {
            Object last = events.get(events.size() - 1);
            if (!badLength.isInstance(last)) {
                fail("expected " + badLength.getSimpleName() + ", got " + describe(last) + "\n" + where);
            }
            outcomes[2]++;
        }
    }

    private static void checkFrame(boolean requests, byte[] frame, Object event, String where, int[] outcomes) {
        if (event instanceof Throwable t && !(event instanceof DecoderException d
                && d.getCause() instanceof DaxProtocolException && !requests)) {
            fail("undocumented failure " + describe(t) + "\n" + where, t);
        }
        switch (event) {
            case DecodedRequest.Valid v -> {
                reencodes(frame, Samples.encode(v.request()), v.request(), where);
                outcomes[0]++;
            }
            case DecodedRequest.Invalid inv -> {
                long id = ByteBuffer.wrap(frame).getLong(6);
                if (inv.requestId() != id || inv.rawOpcode() != frame[FrameEdit.OPCODE_AT]) {
                    fail("refusal " + inv + " does not echo id " + id + " and opcode " + frame[5] + "\n" + where);
                }
                outcomes[1]++;
            }
            case DaxResponse r -> {
                reencodes(frame, Samples.encode(r), r, where);
                outcomes[0]++;
            }
            case DecoderException d -> outcomes[1]++;
            default -> fail("unexpected event " + describe(event) + "\n" + where);
        }
    }

    private static void reencodes(byte[] frame, byte[] reencoded, Object message, String where) {
        if (!Arrays.equals(frame, reencoded)) {
            fail("decoded " + message + " re-encodes to other bytes\nframe:      "
                    + HexFormat.of().formatHex(frame) + "\nre-encoded: " + HexFormat.of().formatHex(reencoded)
                    + "\n" + where);
        }
    }

    private static List<String> signature(List<Object> events) {
        return events.stream().map(MutationTest::describe).toList();
    }

    private static String describe(Object event) {
        if (event instanceof Throwable t) {
            Throwable cause = t instanceof DecoderException && t.getCause() != null ? t.getCause() : t;
            return t.getClass().getSimpleName() + "(" + cause.getClass().getSimpleName() + ": " + cause.getMessage()
                    + ")";
        }
        return String.valueOf(event);
    }
}
