package io.cacdb.tpcc.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.tpcc.TestSeeds;
import io.cacdb.tpcc.random.TpccRandom;
import io.cacdb.tpcc.txn.TransactionType;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeckTest {

    @Test
    void everyFullDeckHasTheExactMix() {
        Deck deck = new Deck(Mix.DEFAULT, new TpccRandom(TestSeeds.seed("everyFullDeckHasTheExactMix")));
        assertEquals(100, deck.size());
        for (int round = 0; round < 50; round++) {
            Map<TransactionType, Integer> counts = new EnumMap<>(TransactionType.class);
            for (int i = 0; i < deck.size(); i++) {
                counts.merge(deck.next(), 1, Integer::sum);
            }
            assertEquals(45, counts.get(TransactionType.NEW_ORDER));
            assertEquals(43, counts.get(TransactionType.PAYMENT));
            assertEquals(4, counts.get(TransactionType.ORDER_STATUS));
            assertEquals(4, counts.get(TransactionType.DELIVERY));
            assertEquals(4, counts.get(TransactionType.STOCK_LEVEL));
        }
    }

    @Test
    void longRunProportionsAndShuffling() {
        long seed = TestSeeds.seed("longRunProportionsAndShuffling");
        Deck deck = new Deck(Mix.DEFAULT, new TpccRandom(seed));
        Map<TransactionType, Integer> counts = new EnumMap<>(TransactionType.class);
        List<TransactionType> first = new ArrayList<>();
        List<TransactionType> second = new ArrayList<>();
        int n = 100_037; // not a whole number of decks
        for (int i = 0; i < n; i++) {
            TransactionType t = deck.next();
            counts.merge(t, 1, Integer::sum);
            if (i < 100) {
                first.add(t);
            } else if (i < 200) {
                second.add(t);
            }
        }
        assertEquals(45.0, 100.0 * counts.get(TransactionType.NEW_ORDER) / n, 0.05);
        assertEquals(43.0, 100.0 * counts.get(TransactionType.PAYMENT) / n, 0.05);
        for (TransactionType t : List.of(TransactionType.ORDER_STATUS, TransactionType.DELIVERY,
                TransactionType.STOCK_LEVEL)) {
            assertEquals(4.0, 100.0 * counts.get(t) / n, 0.05, t.toString());
        }
        assertNotEquals(first, second, "each deck is reshuffled");
        // The same seed deals the same cards.
        Deck again = new Deck(Mix.DEFAULT, new TpccRandom(seed));
        for (TransactionType t : first) {
            assertEquals(t, again.next());
        }
    }

    @Test
    void mixParsingAndSpecMinimum() {
        assertEquals(Mix.DEFAULT, Mix.parse("45, 43, 4, 4, 4"));
        assertTrue(Mix.DEFAULT.meetsSpecMinimum());
        assertTrue(new Mix(10, 10, 1, 1, 1).meetsSpecMinimum(), "HammerDB's 23-card deck: 43.5/4.35%");
        assertFalse(new Mix(50, 40, 4, 3, 3).meetsSpecMinimum());
        assertThrows(IllegalArgumentException.class, () -> Mix.parse("1,2,3"));
        assertThrows(IllegalArgumentException.class, () -> new Mix(0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Mix(-1, 1, 1, 1, 1));
        Deck onlyPayments = new Deck(new Mix(0, 1, 0, 0, 0), new TpccRandom(1));
        for (int i = 0; i < 10; i++) {
            assertEquals(TransactionType.PAYMENT, onlyPayments.next());
        }
    }
}
