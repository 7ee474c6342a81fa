package io.cacdb.dax.wire;

import io.cacdb.leakcheck.NoLeaks;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.BlockSummary;
import io.cacdb.dax.block.Version;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The encoders refuse (as a programmer error, before anything is sent) a message the peer's decoder would refuse,
 * and release their buffer when they do; the whole frame or nothing reaches the channel.
 */
@ExtendWith(NoLeaks.class)
class EncoderTest {

    @Test
    void writeWithAPayloadOverTheLimitIsNotEncoded() {
        Block tooBig = Block.of(BlockAddress.page(1, 2), Version.ofPage(3),
                new byte[WireLimits.MAX_BLOCK_PAYLOAD_BYTES + 1]);
        assertRefused(new EmbeddedChannel(new RequestEncoder()), new DaxRequest.Write(1, 1, tooBig), "payload");
        assertRefused(new EmbeddedChannel(new ResponseEncoder()), new DaxResponse.ReadResult(1, tooBig), "payload");
    }

    @Test
    void scanResultWithMoreEntriesThanTheLimitIsNotEncoded() {
        List<BlockSummary> entries = new ArrayList<>();
        for (int i = 0; i <= WireLimits.MAX_SCAN_ENTRIES; i++) {
            entries.add(new BlockSummary(i, Version.ZERO, 0));
        }
        assertRefused(new EmbeddedChannel(new ResponseEncoder()),
                new DaxResponse.ScanResult(1, entries, false, 0), "entries");
    }

    private static void assertRefused(EmbeddedChannel channel, Object message, String messagePart) {
        try {
            EncoderException e = assertThrows(EncoderException.class, () -> channel.writeOutbound(message));
            IllegalArgumentException cause = assertInstanceOf(IllegalArgumentException.class, e.getCause());
            assertTrue(cause.getMessage().contains(messagePart), cause.getMessage());
            assertNull(channel.readOutbound(), "nothing written");
        } finally {
            assertFalse(channel.finishAndReleaseAll(), "nothing left in the channel");
        }
    }
}
