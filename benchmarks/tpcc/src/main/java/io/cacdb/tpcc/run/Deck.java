package io.cacdb.tpcc.run;

import io.cacdb.tpcc.random.TpccRandom;
import io.cacdb.tpcc.txn.TransactionType;

/**
 * A terminal's deck of cards (spec §5.2.4.2 allows it): one card per unit of weight of the {@link Mix}, shuffled,
 * dealt in order, reshuffled when empty. Over every full deck the mix is exact; a random draw per transaction would
 * only meet it on average.
 */
public final class Deck {

    private final TransactionType[] cards;
    private final TpccRandom random;
    private int next;

    public Deck(Mix mix, TpccRandom random) {
        this.random = random;
        this.cards = new TransactionType[mix.total()];
        int i = 0;
        for (TransactionType t : TransactionType.values()) {
            for (int k = 0; k < mix.weight(t); k++) {
                cards[i++] = t;
            }
        }
        shuffle();
    }

    public TransactionType next() {
        if (next == cards.length) {
            shuffle();
        }
        return cards[next++];
    }

    public int size() {
        return cards.length;
    }

    private void shuffle() {
        for (int i = cards.length - 1; i > 0; i--) {
            int j = random.uniform(0, i);
            TransactionType t = cards[i];
            cards[i] = cards[j];
            cards[j] = t;
        }
        next = 0;
    }
}
