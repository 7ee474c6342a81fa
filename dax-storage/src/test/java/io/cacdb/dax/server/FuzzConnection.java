package io.cacdb.dax.server;

import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.BlockSummary;
import io.cacdb.dax.wire.DaxProtocolException;
import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import io.cacdb.dax.wire.DecodedRequest;
import io.cacdb.dax.wire.Status;
import io.cacdb.dax.wire.WireFormat;
import io.cacdb.dax.wire.WireLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs one {@link FuzzCases.FuzzCase} on its own connection: works out, with the server's own framing rules and
 * codec, what the server will see; records every well-formed request in the {@link FuzzModel} before sending it;
 * sends; then ends the connection as the case says and checks every answer that comes back.
 *
 * <p>Answer rules: each answer must decode with {@link WireFormat#decodeResponse}, answer a frame that was sent (by
 * request id and opcode, at most once per frame), carry the frame's refusal status if the frame is malformed, and
 * never a protocol refusal if it is well-formed. Without a frame that makes the server close, every complete frame
 * gets exactly one answer and the server closes once the client half-closes. With one, the server must close (an
 * answer to the closing frame must arrive when nothing followed it). Every read is bounded by
 * {@link #READ_TIMEOUT_MILLIS}: a server that neither answers nor closes fails the case.
 */
final class FuzzConnection {

    /** Longest wait for one answer or the close: far above loopback latency, even on a loaded 2-core machine. */
    static final int READ_TIMEOUT_MILLIS = 20_000;

    private static final Set<Status> REFUSALS = EnumSet.of(Status.BAD_REQUEST, Status.UNKNOWN_OPCODE,
            Status.UNSUPPORTED_VERSION, Status.FRAME_TOO_LARGE);

    /** What one case saw, for the counts the test checks against server metrics. */
    record Outcome(int frames, int wellFormed, int answers, boolean refusalAnswered, boolean closedByServer) {
    }

    /** A frame the server will see (or a bad length field), and what must answer it. */
    private static final class Expected {
        final int offset;
        final int end;
        final long requestId;
        final int opcode;
        final Status refusal;
        final DaxRequest request;
        final boolean closes;
        final FuzzModel.Expect expect;
        boolean answered;

        Expected(int offset, int end, long requestId, int opcode, Status refusal, DaxRequest request, boolean closes,
                FuzzModel.Expect expect) {
            this.offset = offset;
            this.end = end;
            this.requestId = requestId;
            this.opcode = opcode;
            this.refusal = refusal;
            this.request = request;
            this.closes = closes;
            this.expect = expect;
        }

        @Override
        public String toString() {
            return "frame@" + offset + "(id " + requestId + ", opcode 0x" + Integer.toHexString(opcode & 0xff)
                    + (refusal != null ? ", refused " + refusal : ", " + request) + ")";
        }
    }

    private final FuzzCases.FuzzCase c;
    private final FuzzModel model;
    private final String where;
    private final List<Expected> expected = new ArrayList<>();
    private final Map<Long, BlockAddress> readAddresses = new HashMap<>();
    private int answers;
    private boolean refusalAnswered;

    private FuzzConnection(FuzzCases.FuzzCase c, FuzzModel model, String where) {
        this.c = c;
        this.model = model;
        this.where = where;
    }

    static Outcome run(FuzzCases.FuzzCase c, String host, int port, FuzzModel model, String where)
            throws IOException {
        return new FuzzConnection(c, model, where).run(host, port);
    }

    private Outcome run(String host, int port) throws IOException {
        frame();
        boolean closedByServer = false;
        try (Socket socket = new Socket(host, port)) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            if (!send(socket.getOutputStream())) {
                // the server closed while we were still sending: only after a frame that closes it
                requireClosingFrame("the server reset the connection while the stream was being sent");
                return new Outcome(expected.size(), wellFormed(), 0, false, true);
            }
            switch (c.ending()) {
                case ANSWERS_THEN_EOF -> {
                    Expected closing = expected.stream().filter(e -> e.closes).findFirst().orElse(null);
                    if (closing == null) {
                        for (int i = 0; i < expected.size(); i++) {
                            Object r = read(in, false);
                            if (!(r instanceof DaxResponse resp)) {
                                throw fail("expected " + expected.size() + " answers, got " + i + ", then " + r);
                            }
                            match(resp);
                        }
                        socket.shutdownOutput();
                        Object r = read(in, false);
                        if (r instanceof DaxResponse extra) {
                            throw fail("answer to nothing after all " + expected.size() + " answers: " + extra);
                        }
                        requireEnd(r, "after the client's half-close");
                    } else {
                        Object r;
                        while ((r = read(in, true)) instanceof DaxResponse resp) {
                            match(resp);
                        }
                        requireEnd(r, "after " + closing);
                        if (closing.end == c.sendBytes() && !closing.answered) {
                            throw fail("the server closed without answering " + closing);
                        }
                    }
                    closedByServer = true;
                }
                case HALF_CLOSE -> {
                    socket.shutdownOutput();
                    Object r;
                    while ((r = read(in, true)) instanceof DaxResponse resp) {
                        match(resp);
                    }
                    requireEnd(r, "after a half-close inside a frame");
                    closedByServer = true;
                }
                case RESET -> socket.setSoLinger(true, 0);
                case CLOSE_UNREAD -> {
                }
            }
        }
        return new Outcome(expected.size(), wellFormed(), answers, refusalAnswered, closedByServer);
    }

    private int wellFormed() {
        return (int) expected.stream().filter(e -> e.request != null).count();
    }

    // ------------------------------------------------------------------------------------------------ framing

    /** Splits what is sent as {@code DaxFrameDecoder} will, decodes each frame as the server will, records it. */
    private void frame() {
        byte[] s = c.stream();
        int at = 0;
        while (at + 4 <= c.sendBytes()) {
            long length = ByteBuffer.wrap(s, at, 4).getInt() & 0xFFFF_FFFFL;
            if (length < WireLimits.HEADER_BYTES || length > WireLimits.MAX_FRAME_BYTES) {
                Status status = length < WireLimits.HEADER_BYTES ? Status.BAD_REQUEST : Status.FRAME_TOO_LARGE;
                expected.add(new Expected(at, at + 4, 0, 0x80, status, null, true, c.expects().get(at)));
                return; // the server discards everything after a bad length
            }
            if (at + 4 + length > c.sendBytes()) {
                return; // incomplete: the server waits for the rest
            }
            ByteBuf frame = Unpooled.wrappedBuffer(s, at + 4, (int) length);
            DecodedRequest decoded;
            try {
                decoded = WireFormat.decodeRequest(frame);
            } finally {
                frame.release();
            }
            int end = at + 4 + (int) length;
            FuzzModel.Expect expect = c.expects().get(at);
            switch (decoded) {
                case DecodedRequest.Valid v -> {
                    DaxRequest req = v.request();
                    model.sent(req);
                    if (req instanceof DaxRequest.Read read) {
                        readAddresses.put(read.requestId(), read.address());
                    }
                    expected.add(new Expected(at, end, req.requestId(), req.opcode().responseCode(), null, req,
                            false, expect));
                }
                case DecodedRequest.Invalid inv -> expected.add(new Expected(at, end, inv.requestId(),
                        (inv.rawOpcode() | 0x80) & 0xff, inv.status(), null, inv.closeConnection(), expect));
            }
            at = end;
        }
    }

    // ------------------------------------------------------------------------------------------------ sending

    /** Sends the stream in the case's chunks; false if the server reset the connection meanwhile. */
    private boolean send(OutputStream out) {
        int from = 0;
        try {
            for (int end : c.chunkEnds()) {
                out.write(c.stream(), from, end - from);
                out.flush();
                from = end;
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------------ answers

    /**
     * The next answer, or a string saying how the stream ended ("eof", "reset", "timeout"). An answer cut by the
     * close is a failure unless {@code cutAllowed} (the server may close with responses still queued once a frame
     * made it close).
     */
    private Object read(DataInputStream in, boolean cutAllowed) {
        byte[] lengthField = new byte[4];
        try {
            int first = in.read();
            if (first < 0) {
                return "eof";
            }
            lengthField[0] = (byte) first;
            in.readFully(lengthField, 1, 3);
            int length = ByteBuffer.wrap(lengthField).getInt();
            if (length < WireLimits.HEADER_BYTES + 2 || length > WireLimits.MAX_FRAME_BYTES) {
                throw fail("answer with a malformed length field " + Integer.toUnsignedString(length));
            }
            byte[] frame = new byte[length];
            in.readFully(frame);
            ByteBuf buf = Unpooled.wrappedBuffer(frame);
            try {
                return WireFormat.decodeResponse(buf, readAddresses::get);
            } catch (DaxProtocolException e) {
                throw fail("malformed answer (" + e.getMessage() + "): " + HexFormat.of().formatHex(frame));
            } finally {
                buf.release();
            }
        } catch (SocketTimeoutException e) {
            return "timeout";
        } catch (EOFException e) {
            if (!cutAllowed) {
                throw fail("the server closed in the middle of an answer");
            }
            return "eof";
        } catch (SocketException e) {
            return "reset";
        } catch (IOException e) {
            throw fail("reading an answer failed: " + e);
        }
    }

    private void requireEnd(Object r, String when) {
        if (!"eof".equals(r) && !"reset".equals(r)) {
            throw fail("the server did not close the connection " + when + " within " + READ_TIMEOUT_MILLIS
                    + " ms (" + r + ")");
        }
    }

    private void requireClosingFrame(String what) {
        if (expected.stream().noneMatch(e -> e.closes)) {
            throw fail(what + ", but no frame asked for a close");
        }
    }

    /** Pairs an answer with the frame it answers, checks it, and feeds what it tells into the model. */
    private void match(DaxResponse r) {
        answers++;
        int opcode = FuzzCases.answeredOpcode(r) & 0xff;
        Status status = r instanceof DaxResponse.Error e ? e.status() : Status.OK;
        List<Expected> sameKey = expected.stream()
                .filter(e -> e.requestId == r.requestId() && (e.opcode & 0xff) == opcode).toList();
        Expected hit;
        if (REFUSALS.contains(status)) {
            hit = sameKey.stream().filter(e -> !e.answered && e.refusal == status).findFirst().orElse(null);
            if (hit == null) {
                throw fail("refusal " + r + " answers no malformed frame that was sent; frames: " + expected);
            }
            refusalAnswered = true;
        } else {
            hit = sameKey.stream().filter(e -> !e.answered && e.refusal == null).findFirst().orElse(null);
            if (hit == null) {
                throw fail("answer " + r + " matches no unanswered well-formed frame; frames: " + expected);
            }
        }
        hit.answered = true;
        if (hit.expect != null) {
            model.defer(where + " " + hit, r, hit.expect);
        }
        boolean unambiguous = sameKey.size() == 1;
        if (hit.request != null && unambiguous) {
            observe(hit.request, r);
        }
    }

    /** What an answer to a well-formed request tells about the server's state. */
    private void observe(DaxRequest req, DaxResponse r) {
        switch (r) {
            case DaxResponse.WriteAck a when req instanceof DaxRequest.Write w -> {
                if (a.outcome() == DaxResponse.WriteOutcome.SUPERSEDED) {
                    model.seenVersion(w.block().address(), a.storedVersion());
                } else {
                    model.stored(w.block());
                }
            }
            case DaxResponse.ReadResult rr when rr.found() -> model.seenBlock(rr.block());
            case DaxResponse.ScanResult sr when req instanceof DaxRequest.Scan s -> {
                for (BlockSummary e : sr.entries()) {
                    model.seenSummary(new BlockAddress(s.volume(), s.space(), e.blockNo()), e.version(), e.crc32c());
                }
            }
            case DaxResponse.Fenced f when req instanceof DaxRequest.Fence fr -> model.seenFence(fr.volume(),
                    f.currentEpoch());
            case DaxResponse.Deleted d when req instanceof DaxRequest.DeleteBelow dr -> model.seenTruncation(
                    dr.volume(), dr.space(), d.truncatedBelow());
            case DaxResponse.Error e when e.status() == Status.STALE_EPOCH -> {
                if (req instanceof DaxRequest.Write w) {
                    model.seenFence(w.block().address().volume(), e.detail());
                } else if (req instanceof DaxRequest.DeleteBelow d) {
                    model.seenFence(d.volume(), e.detail());
                }
            }
            case DaxResponse.Error e when e.status() == Status.BELOW_TRUNCATION
                    && req instanceof DaxRequest.Write w -> model.seenTruncation(w.block().address().volume(),
                    w.block().address().space(), e.detail());
            default -> {
            }
        }
    }

    private AssertionError fail(String what) {
        int shown = Math.min(c.sendBytes(), 512);
        return new AssertionError(where + ": " + what + "\n  sent " + c.sendBytes() + " bytes"
                + (shown < c.sendBytes() ? " (first " + shown + ")" : "") + ": "
                + HexFormat.of().formatHex(c.stream(), 0, shown));
    }
}
