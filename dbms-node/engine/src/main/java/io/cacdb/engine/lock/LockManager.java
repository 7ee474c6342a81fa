package io.cacdb.engine.lock;

import io.cacdb.engine.error.DeadlockException;
import io.cacdb.engine.error.LockTimeoutException;
import io.cacdb.engine.error.QueryCancelledException;
import io.cacdb.engine.error.TooManyLocksException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock table for strict two-phase locking: transactions lock {@link LockResource}s in {@link LockMode}s and keep
 * them until {@link #releaseAll} at commit or abort (or {@link #release} for a short lock).
 *
 * <h2>Design</h2>
 * <ul>
 *   <li><b>Table.</b> Resources hash to one of {@link LockConfig#shardCount()} stripes; each stripe has a
 *       {@link ReentrantLock} (not a monitor, so that virtual threads waiting here do not pin their carrier) and a
 *       map resource → queue. A queue exists only while someone holds or waits for the resource, so the table is
 *       empty when no transaction holds a lock.</li>
 *   <li><b>Queue.</b> The granted group (one entry per transaction, holding its strongest mode, with a count per mode
 *       so a compatibility check is O(modes)), then pending upgrades, then a FIFO of new requests. A new request is
 *       granted at once only if nobody waits and it is compatible with every holder: nobody barges past a waiter.
 *       When a holder leaves, upgrades compatible with the remaining holders are granted, then new requests from the
 *       head of the FIFO while each is compatible (the compatible group), stopping at the first that is not.</li>
 *   <li><b>Upgrades</b> (a holder asking for a stronger mode, e.g. S → X) go ahead of every new request: they already
 *       hold the resource, and queueing them behind a request that conflicts with what they hold would deadlock for
 *       nothing. Two upgraders that each hold S and want X wait for each other: a deadlock, detected below.</li>
 *   <li><b>Waiting.</b> A request that must wait gets its own {@link Condition} of its stripe's lock, so a grant
 *       wakes exactly the thread granted. Its state (waiting, granted, victim, cancelled, timed out) is changed only
 *       under the stripe lock, and whoever ends a wait (granter, deadlock detector, canceller, the waiter's own
 *       timeout) removes the request from the queue in the same critical section: no lost wakeup (the waiter
 *       re-checks the state under the lock before every await) and no stale waiter left behind.</li>
 *   <li><b>Deadlock detection</b> runs on the requester's thread each time a request starts to wait, with no stripe
 *       lock held. It searches the waits-for graph breadth-first from the requester (an edge A → B: A's waiting
 *       request conflicts with a mode B holds, or A's is a new request and B's request is ahead of it in the queue,
 *       an upgrade or an earlier request, whatever its mode: strict FIFO means A goes only after B), reading
 *       each visited transaction's edges under its stripe's lock, one stripe at a time, visiting at most
 *       {@link LockConfig#deadlockSearchTxnsMax()} transactions: O(V + E) in the visited part of the graph, each
 *       visit one stripe lock and a walk of one queue. Because the edges were read at different moments, a cycle
 *       found is then <i>verified</i> with the stripes of all its requests locked at once (in stripe order, so two
 *       detectors cannot deadlock on stripes): if every edge still holds, the cycle is real at that instant, since
 *       waiting transactions cannot release anything. Then the <b>youngest</b> transaction of the cycle (largest id:
 *       the transaction layer hands out ids in begin order, so this usually discards the least work and lets long
 *       transactions finish) is the victim: its waiting request is withdrawn with state victim and its thread wakes
 *       with {@link DeadlockException}; its held locks stay until its rollback calls {@link #releaseAll}. Verifying
 *       and withdrawing under the same locks makes two detectors of one cycle choose one victim: the second one's
 *       verification fails. Every cycle is found: an edge A → B appears only when A starts to wait, when B starts to
 *       wait (a pending upgrade of B now holds back the new requests behind it), or when B is granted a lock (B then
 *       runs, it does not wait); every member of a cycle waits, so the last of them to start waiting does so after
 *       all the cycle's edges exist, and its search from itself finds the cycle. A search cut short by the bound finds nothing and the lock wait timeout
 *       resolves the wait (counted in {@code cacdb.lock.deadlock.search.truncated}).</li>
 *   <li><b>Cancellation.</b> {@link #cancel} marks the transaction cancelled (sticky until {@link #releaseAll}) and
 *       ends a wait in progress with {@link QueryCancelledException}; later lock calls of that transaction fail the
 *       same way. An interrupt of the waiting thread does the same for that wait, and the interrupt flag stays set.</li>
 * </ul>
 *
 * <h2>Bounds</h2>
 * A transaction waits for at most one request at a time (its calls are sequential; a second concurrent call is a
 * programmer error and fails), so the waiters of one resource are at most the transactions that exist, which the
 * session limit of the node bounds; the granted group is bounded the same way. The locks one transaction holds are
 * bounded by {@link LockConfig#locksPerTransactionMax()} ({@link TooManyLocksException} beyond). One wait lasts at
 * most {@link LockConfig#lockWaitTimeout()}.
 *
 * <h2>Threads</h2>
 * Thread-safe. The calls of one transaction ({@link #lock}, {@link #tryLock}, {@link #release}, {@link #releaseAll},
 * {@link #heldMode}) must not run concurrently with each other, which is what a session does; {@link #cancel} may be
 * called from any thread at any time. Lock waits use the JVM's monotonic clock: they park real threads.
 */
public final class LockManager {

    private static final Logger log = LoggerFactory.getLogger(LockManager.class);

    /**
     * How often a detector searches again after the cycle it found did not survive verification (the graph moved
     * while it read it). A real deadlock does not move, so a repeated search finds it; a graph that keeps moving is
     * not deadlocked, and the wait timeout is the backstop.
     */
    private static final int DEADLOCK_SEARCH_ATTEMPTS_MAX = 3;

    private static final LockMode[] MODES = LockMode.values();

    private enum State { WAITING, GRANTED, DEADLOCK_VICTIM, CANCELLED, TIMED_OUT }

    private final LockConfig config;
    private final LockWaitListener listener;
    private final Shard[] shards;
    private final int shardMask;
    private final ConcurrentHashMap<Long, Txn> txns = new ConcurrentHashMap<>();

    private final Counter waits;
    private final Timer waitTime;
    private final Counter deadlocks;
    private final Counter timeouts;
    private final Counter cancellations;
    private final Counter searchTruncated;
    private final AtomicInteger waitingNow = new AtomicInteger();

    public LockManager(LockConfig config, MeterRegistry registry) {
        this(config, registry, LockWaitListener.NONE);
    }

    public LockManager(LockConfig config, MeterRegistry registry, LockWaitListener listener) {
        this.config = Objects.requireNonNull(config, "config");
        this.listener = Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(registry, "registry");
        this.shards = new Shard[config.shardCount()];
        for (int i = 0; i < shards.length; i++) {
            shards[i] = new Shard(i);
        }
        this.shardMask = shards.length - 1;
        this.waits = Counter.builder("cacdb.lock.waits")
                .description("lock requests that had to wait").register(registry);
        this.waitTime = Timer.builder("cacdb.lock.wait.time")
                .description("time lock requests waited, whatever the outcome").register(registry);
        this.deadlocks = Counter.builder("cacdb.lock.deadlocks")
                .description("deadlocks broken by aborting a victim").register(registry);
        this.timeouts = Counter.builder("cacdb.lock.timeouts")
                .description("lock waits that ended with a lock wait timeout").register(registry);
        this.cancellations = Counter.builder("cacdb.lock.cancellations")
                .description("lock waits ended by cancel or interrupt").register(registry);
        this.searchTruncated = Counter.builder("cacdb.lock.deadlock.search.truncated")
                .description("deadlock searches cut short by deadlockSearchTxnsMax").register(registry);
        registry.gauge("cacdb.lock.waiting", waitingNow);
    }

    public LockConfig config() {
        return config;
    }

    /**
     * Locks {@code resource} in {@code mode} for {@code txnId}, waiting if needed. Returns at once if the transaction
     * already holds a mode that covers {@code mode}; upgrades if it holds a weaker one (to the join of both).
     *
     * @throws DeadlockException       the transaction was chosen as a deadlock victim; roll back
     * @throws LockTimeoutException    not granted within {@link LockConfig#lockWaitTimeout()}
     * @throws QueryCancelledException the transaction was cancelled, or the thread interrupted while waiting
     * @throws TooManyLocksException   the transaction holds {@link LockConfig#locksPerTransactionMax()} locks
     */
    public void lock(long txnId, LockResource resource, LockMode mode) {
        acquire(txnId, resource, mode, true);
    }

    /**
     * Locks {@code resource} in {@code mode} only if that needs no wait (NOWAIT, or locking under a page latch);
     * otherwise changes nothing and returns false. Never barges: a request is granted only if nobody waits.
     *
     * @throws QueryCancelledException the transaction was cancelled
     * @throws TooManyLocksException   the transaction holds {@link LockConfig#locksPerTransactionMax()} locks
     */
    public boolean tryLock(long txnId, LockResource resource, LockMode mode) {
        return acquire(txnId, resource, mode, false);
    }

    private boolean acquire(long txnId, LockResource resource, LockMode mode, boolean wait) {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(mode, "mode");
        Txn txn = txns.computeIfAbsent(txnId, Txn::new);
        checkNotWaiting(txn, "lock");
        if (txn.cancelled) {
            throw new QueryCancelledException("transaction " + txnId + " was cancelled");
        }
        Request held = txn.held.get(resource);
        if (held != null && held.mode.covers(mode)) {
            return true;
        }
        if (held == null && txn.held.size() >= config.locksPerTransactionMax()) {
            throw new TooManyLocksException(txnId, config.locksPerTransactionMax());
        }
        Shard shard = shardOf(resource);
        Request waiting;
        shard.mutex.lock();
        try {
            Queue q = shard.queues.computeIfAbsent(resource, r -> new Queue(r, shard));
            if (held != null) {
                if (held.queue != q) {
                    throw new IllegalStateException("txn " + txnId + " holds " + resource + " in a queue that is not "
                            + "the resource's queue in its stripe: " + held.queue + " vs " + q);
                }
                LockMode target = held.mode.join(mode);
                if (compatibleWithGranted(q, target, held)) {
                    setGrantedMode(q, held, target);
                    return true;
                }
                if (!wait) {
                    return false;
                }
                waiting = new Request(txn, q, target, held);
                waiting.wakeup = shard.mutex.newCondition();
                q.upgrades.addLast(waiting);
            } else {
                if (q.upgrades.isEmpty() && q.waiters.isEmpty() && compatibleWithGranted(q, mode, null)) {
                    Request r = new Request(txn, q, mode, null);
                    addGranted(q, r);
                    txn.held.put(q.resource, r);
                    return true;
                }
                if (!wait) {
                    removeIfUnused(q);
                    return false;
                }
                waiting = new Request(txn, q, mode, null);
                waiting.wakeup = shard.mutex.newCondition();
                q.waiters.addLast(waiting);
            }
            txn.waitingFor = waiting;
        } finally {
            shard.mutex.unlock();
        }
        awaitGrant(txn, waiting);
        return true;
    }

    private void awaitGrant(Txn txn, Request r) {
        waits.increment();
        waitingNow.incrementAndGet();
        long startNanos = System.nanoTime();
        try {
            listener.waiting(txn.id, r.queue.resource, r.mode);
            detectDeadlock(txn, r);
            Shard shard = r.queue.shard;
            long remainingNanos = config.lockWaitTimeout().toNanos();
            shard.mutex.lock();
            try {
                while (r.state == State.WAITING) {
                    // Checked after waitingFor was published: a cancel() that missed our waitingFor set this first.
                    if (txn.cancelled) {
                        r.endText = "transaction " + txn.id + " was cancelled while waiting for " + describe(r);
                        withdraw(r, State.CANCELLED);
                        cancellations.increment();
                        break;
                    }
                    if (remainingNanos <= 0) {
                        r.endText = blockerText(r);
                        withdraw(r, State.TIMED_OUT);
                        timeouts.increment();
                        break;
                    }
                    try {
                        remainingNanos = r.wakeup.awaitNanos(remainingNanos);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        if (r.state == State.WAITING) {
                            r.endText = "transaction " + txn.id + " was interrupted while waiting for " + describe(r);
                            withdraw(r, State.CANCELLED);
                            cancellations.increment();
                        }
                    }
                }
                switch (r.state) {
                    case GRANTED -> {
                        if (r.upgradeOf == null) {
                            txn.held.put(r.queue.resource, r);
                        }
                    }
                    case DEADLOCK_VICTIM -> throw new DeadlockException(txn.id, r.cycleTxnIds, r.endText);
                    case CANCELLED -> throw new QueryCancelledException(r.endText);
                    case TIMED_OUT -> throw new LockTimeoutException(txn.id, describe(r),
                            Duration.ofNanos(System.nanoTime() - startNanos), r.endText);
                    case WAITING -> throw new IllegalStateException("wait loop left request in state WAITING");
                }
            } finally {
                txn.waitingFor = null;
                shard.mutex.unlock();
            }
        } finally {
            waitingNow.decrementAndGet();
            waitTime.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Releases the transaction's lock on {@code resource}, whatever its mode, and grants the waiters that can now go.
     * For READ COMMITTED's short shared locks and insert-intention locks; releasing a lock that protects a write
     * before commit breaks strict two-phase locking. Returns whether a lock was held.
     */
    public boolean release(long txnId, LockResource resource) {
        Txn txn = txns.get(txnId);
        if (txn == null) {
            return false;
        }
        checkNotWaiting(txn, "release");
        Request entry = txn.held.remove(resource);
        if (entry == null) {
            return false;
        }
        Shard shard = entry.queue.shard;
        shard.mutex.lock();
        try {
            removeGranted(entry);
        } finally {
            shard.mutex.unlock();
        }
        return true;
    }

    /**
     * Releases every lock of the transaction and forgets it (its cancelled mark too): the end of commit or rollback.
     * Grants the waiters that can now go, in each queue's order. Idempotent.
     */
    public void releaseAll(long txnId) {
        Txn txn = txns.get(txnId);
        if (txn == null) {
            return;
        }
        checkNotWaiting(txn, "releaseAll");
        txns.remove(txnId, txn);
        List<Request> entries = new ArrayList<>(txn.held.values());
        txn.held.clear();
        // One critical section per stripe rather than per lock: commit of a transaction with many locks is cheap.
        entries.sort(Comparator.comparingInt(e -> e.queue.shard.index));
        int i = 0;
        while (i < entries.size()) {
            Shard shard = entries.get(i).queue.shard;
            shard.mutex.lock();
            try {
                while (i < entries.size() && entries.get(i).queue.shard == shard) {
                    removeGranted(entries.get(i));
                    i++;
                }
            } finally {
                shard.mutex.unlock();
            }
        }
    }

    /**
     * Cancels the transaction: a wait in progress ends with {@link QueryCancelledException} (its request withdrawn,
     * held locks kept), and every later {@link #lock} or {@link #tryLock} of it fails the same way until
     * {@link #releaseAll}. For a cancel request or a dead session. Any thread. Returns whether a wait was ended; a
     * transaction that holds and waits for nothing is unknown here, and cancelling it does nothing.
     */
    public boolean cancel(long txnId) {
        Txn txn = txns.get(txnId);
        if (txn == null) {
            return false;
        }
        txn.cancelled = true;
        Request r = txn.waitingFor;
        if (r == null) {
            return false;
        }
        Shard shard = r.queue.shard;
        shard.mutex.lock();
        try {
            if (r.state != State.WAITING) {
                return false;
            }
            r.endText = "transaction " + txnId + " was cancelled while waiting for " + describe(r);
            withdraw(r, State.CANCELLED);
            cancellations.increment();
            return true;
        } finally {
            shard.mutex.unlock();
        }
    }

    /** The mode the transaction holds on {@code resource}, if any. The transaction's own thread, or after it ended. */
    public Optional<LockMode> heldMode(long txnId, LockResource resource) {
        Txn txn = txns.get(txnId);
        if (txn == null) {
            return Optional.empty();
        }
        Request entry = txn.held.get(resource);
        return entry == null ? Optional.empty() : Optional.of(entry.mode);
    }

    /** How many locks the transaction holds. The transaction's own thread, or after it ended. */
    public int heldCount(long txnId) {
        Txn txn = txns.get(txnId);
        return txn == null ? 0 : txn.held.size();
    }

    /** Whether the resource has a holder or a waiter. */
    public boolean isLocked(LockResource resource) {
        Shard shard = shardOf(resource);
        shard.mutex.lock();
        try {
            return shard.queues.containsKey(resource);
        } finally {
            shard.mutex.unlock();
        }
    }

    /** Resources with a holder or a waiter, summed stripe by stripe (not one atomic snapshot). */
    public int lockedResourceCount() {
        int n = 0;
        for (Shard shard : shards) {
            shard.mutex.lock();
            try {
                n += shard.queues.size();
            } finally {
                shard.mutex.unlock();
            }
        }
        return n;
    }

    /** True when no transaction holds or waits for a lock and none is known: the state after everyone ended. */
    public boolean isEmpty() {
        return txns.isEmpty() && lockedResourceCount() == 0;
    }

    // ---- queue operations; the caller holds the queue's stripe lock ----

    private static boolean compatibleWithGranted(Queue q, LockMode mode, Request own) {
        for (LockMode m : MODES) {
            int n = q.grantedCounts[m.ordinal()];
            if (own != null && own.mode == m) {
                n--;
            }
            if (n > 0 && !mode.compatibleWith(m)) {
                return false;
            }
        }
        return true;
    }

    private static void addGranted(Queue q, Request r) {
        boolean added = q.granted.add(r);
        if (!added) {
            throw new IllegalStateException("request of txn " + r.txn.id + " granted twice on " + q.resource);
        }
        q.grantedCounts[r.mode.ordinal()]++;
        r.state = State.GRANTED;
    }

    private static void setGrantedMode(Queue q, Request entry, LockMode mode) {
        q.grantedCounts[entry.mode.ordinal()]--;
        q.grantedCounts[mode.ordinal()]++;
        entry.mode = mode;
    }

    private void removeGranted(Request entry) {
        Queue q = entry.queue;
        if (!q.granted.remove(entry)) {
            throw new IllegalStateException("txn " + entry.txn.id + " held " + q.resource + " in its lock list "
                    + "but not in the resource's granted group " + q.granted.size());
        }
        int left = --q.grantedCounts[entry.mode.ordinal()];
        if (left < 0) {
            throw new IllegalStateException("granted count of " + entry.mode + " on " + q.resource + " went to "
                    + left + " (expected >= 0)");
        }
        grantWaiters(q);
        removeIfUnused(q);
    }

    /** Takes a waiting request out of its queue with its final state, wakes its thread, and lets others go. */
    private void withdraw(Request r, State end) {
        Queue q = r.queue;
        boolean removed = r.upgradeOf != null ? q.upgrades.remove(r) : q.waiters.remove(r);
        if (!removed || r.state != State.WAITING) {
            throw new IllegalStateException("withdrawing a request of txn " + r.txn.id + " on " + q.resource
                    + " that is not waiting: in queue " + removed + ", state " + r.state);
        }
        r.state = end;
        r.wakeup.signal();
        // A withdrawn request at the head may have been what blocked those behind it.
        grantWaiters(q);
        removeIfUnused(q);
    }

    private void grantWaiters(Queue q) {
        // Upgrades are not ordered among themselves: each goes when compatible with the other holders. Granting one
        // only strengthens the group, so one pass is enough.
        for (Iterator<Request> it = q.upgrades.iterator(); it.hasNext(); ) {
            Request u = it.next();
            if (compatibleWithGranted(q, u.mode, u.upgradeOf)) {
                it.remove();
                setGrantedMode(q, u.upgradeOf, u.mode);
                u.state = State.GRANTED;
                u.wakeup.signal();
            }
        }
        if (!q.upgrades.isEmpty()) {
            return;
        }
        while (!q.waiters.isEmpty()) {
            Request w = q.waiters.peekFirst();
            if (!compatibleWithGranted(q, w.mode, null)) {
                return;
            }
            q.waiters.pollFirst();
            addGranted(q, w);
            w.wakeup.signal();
        }
    }

    private static void removeIfUnused(Queue q) {
        if (q.granted.isEmpty() && q.upgrades.isEmpty() && q.waiters.isEmpty()) {
            Queue removed = q.shard.queues.remove(q.resource);
            if (removed != q) {
                throw new IllegalStateException("queue of " + q.resource + " was not the one in its stripe");
            }
        }
    }

    /** The transactions a waiting request waits for (see the design note); empty if it no longer waits. */
    private static LinkedHashSet<Txn> blockers(Request r) {
        LinkedHashSet<Txn> out = new LinkedHashSet<>();
        if (r.state != State.WAITING) {
            return out;
        }
        Queue q = r.queue;
        for (Request g : q.granted) {
            if (g.txn != r.txn && !g.mode.compatibleWith(r.mode)) {
                out.add(g.txn);
            }
        }
        if (r.upgradeOf != null) {
            return out;
        }
        // A new request is granted only after every pending upgrade and every request ahead of it has been granted
        // (strict FIFO), whatever their modes: even a compatible request ahead, if it cannot be granted, holds this
        // one back (IS behind an S that waits for an IX holder).
        for (Request u : q.upgrades) {
            if (u.txn != r.txn) {
                out.add(u.txn);
            }
        }
        for (Request w : q.waiters) {
            if (w == r) {
                break;
            }
            if (w.txn != r.txn) {
                out.add(w.txn);
            }
        }
        return out;
    }

    // ---- deadlock detection ----

    /**
     * Breaks every cycle through the requester. The requester's request may close several cycles at once (it waits
     * for several holders); when a victim other than the requester breaks one, the search runs again, since nobody
     * else will: the other members of the remaining cycles were already waiting. Each round withdraws one request,
     * so the rounds are bounded by the transactions that can be in the graph.
     */
    private void detectDeadlock(Txn requester, Request request) {
        int failedVerifications = 0;
        for (int round = 0; round < config.deadlockSearchTxnsMax(); round++) {
            List<Request> cycle = findCycle(requester, request);
            if (cycle == null) {
                return;
            }
            Request victim = breakCycle(cycle);
            if (victim == request) {
                return;
            }
            if (victim == null && ++failedVerifications >= DEADLOCK_SEARCH_ATTEMPTS_MAX) {
                return;
            }
        }
    }

    /**
     * Breadth-first search of the waits-for graph from the requester; returns the requests of a cycle through it in
     * waits-for order (each request's transaction waits for the next one's, the last for the requester), or null.
     */
    private List<Request> findCycle(Txn requester, Request request) {
        IdentityHashMap<Txn, Request> visited = new IdentityHashMap<>();
        IdentityHashMap<Txn, Txn> parent = new IdentityHashMap<>();
        ArrayDeque<Txn> frontier = new ArrayDeque<>();
        visited.put(requester, request);
        frontier.add(requester);
        boolean truncated = false;
        while (!frontier.isEmpty()) {
            Txn t = frontier.poll();
            Request r = visited.get(t);
            Shard shard = r.queue.shard;
            LinkedHashSet<Txn> next;
            shard.mutex.lock();
            try {
                next = blockers(r);
            } finally {
                shard.mutex.unlock();
            }
            for (Txn b : next) {
                if (b == requester) {
                    ArrayList<Request> path = new ArrayList<>();
                    for (Txn p = t; p != null; p = parent.get(p)) {
                        path.add(visited.get(p));
                    }
                    Collections.reverse(path);
                    return path;
                }
                if (visited.containsKey(b)) {
                    continue;
                }
                Request br = b.waitingFor;
                if (br == null) {
                    continue; // running, not waiting: no edges out of it
                }
                if (visited.size() >= config.deadlockSearchTxnsMax()) {
                    truncated = true;
                    continue;
                }
                visited.put(b, br);
                parent.put(b, t);
                frontier.add(b);
            }
        }
        if (truncated) {
            searchTruncated.increment();
            log.debug("deadlock search from txn {} stopped after {} transactions; the lock wait timeout decides",
                    requester.id, visited.size());
        }
        return null;
    }

    /**
     * Verifies the cycle with all its stripes locked and, if it is real, withdraws the youngest's request and returns
     * it; returns null if the cycle is gone.
     */
    private Request breakCycle(List<Request> cycle) {
        Shard[] involved = cycle.stream().map(r -> r.queue.shard).distinct()
                .sorted(Comparator.comparingInt(s -> s.index)).toArray(Shard[]::new);
        int locked = 0;
        try {
            for (Shard s : involved) {
                s.mutex.lock();
                locked++;
            }
            int n = cycle.size();
            for (int i = 0; i < n; i++) {
                Request r = cycle.get(i);
                Txn waitsFor = cycle.get((i + 1) % n).txn;
                if (r.state != State.WAITING || r.txn.waitingFor != r || !blockers(r).contains(waitsFor)) {
                    return null;
                }
            }
            Request victim = cycle.stream().max(Comparator.comparingLong(r -> r.txn.id)).orElseThrow();
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < n; i++) {
                Request r = cycle.get(i);
                text.append(i == 0 ? "" : "; ").append("txn ").append(r.txn.id).append(" waits for ")
                        .append(describe(r)).append(" held or requested by txn ").append(cycle.get((i + 1) % n).txn.id);
            }
            victim.endText = text.toString();
            victim.cycleTxnIds = cycle.stream().map(r -> r.txn.id).toList();
            withdraw(victim, State.DEADLOCK_VICTIM);
            deadlocks.increment();
            log.debug("deadlock: victim txn {}: {}", victim.txn.id, text);
            return victim;
        } finally {
            for (int i = locked - 1; i >= 0; i--) {
                involved[i].mutex.unlock();
            }
        }
    }

    // ---- misc ----

    private Shard shardOf(LockResource resource) {
        int h = resource.hashCode();
        // Murmur3's finalizer: nearby keys (sequential ids) spread over stripes.
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return shards[h & shardMask];
    }

    private static void checkNotWaiting(Txn txn, String call) {
        Request w = txn.waitingFor;
        if (w != null) {
            throw new IllegalStateException(call + " for txn " + txn.id + " while it waits for " + w.queue.resource
                    + ": a transaction's lock calls must be sequential");
        }
    }

    private static String describe(Request r) {
        return (r.upgradeOf != null ? "upgrade to " : "") + r.mode + " on " + r.queue.resource;
    }

    private static String blockerText(Request r) {
        return blockers(r).stream().map(t -> Long.toString(t.id)).collect(Collectors.joining(", ", "txns [", "]"));
    }

    private static final class Shard {
        final int index;
        final ReentrantLock mutex = new ReentrantLock();
        final HashMap<LockResource, Queue> queues = new HashMap<>();

        Shard(int index) {
            this.index = index;
        }
    }

    /** The lock state of one resource. Guarded by its stripe's mutex. */
    private static final class Queue {
        final LockResource resource;
        final Shard shard;
        /** One entry per holding transaction (identity set), its mode the strongest held. */
        final HashSet<Request> granted = new HashSet<>();
        final int[] grantedCounts = new int[MODES.length];
        final ArrayDeque<Request> upgrades = new ArrayDeque<>();
        final ArrayDeque<Request> waiters = new ArrayDeque<>();

        Queue(LockResource resource, Shard shard) {
            this.resource = resource;
            this.shard = shard;
        }

        @Override
        public String toString() {
            return resource + " granted " + granted.size() + " counts " + Arrays.toString(grantedCounts)
                    + " upgrades " + upgrades.size() + " waiters " + waiters.size();
        }
    }

    /**
     * A granted entry (in {@link Queue#granted}, {@code mode} = mode held) or a waiting request (in
     * {@link Queue#upgrades} with {@code upgradeOf} = the entry it upgrades, or in {@link Queue#waiters}; once granted
     * a new request becomes the transaction's granted entry). Fields other than the finals are guarded by the stripe.
     */
    private static final class Request {
        final Txn txn;
        final Queue queue;
        final Request upgradeOf;
        LockMode mode;
        State state = State.WAITING;
        Condition wakeup;
        String endText;
        List<Long> cycleTxnIds = List.of();

        Request(Txn txn, Queue queue, LockMode mode, Request upgradeOf) {
            this.txn = txn;
            this.queue = queue;
            this.mode = mode;
            this.upgradeOf = upgradeOf;
        }
    }

    /** Per-transaction state. {@code held} belongs to the transaction's own thread (see the class threads note). */
    private static final class Txn {
        final long id;
        final Map<LockResource, Request> held = new HashMap<>();
        /** The request this transaction waits for; set and cleared under that request's stripe lock. */
        volatile Request waitingFor;
        volatile boolean cancelled;

        Txn(long id) {
            this.id = id;
        }
    }
}
