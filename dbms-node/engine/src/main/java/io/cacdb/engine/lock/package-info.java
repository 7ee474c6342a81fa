/**
 * Row locks for strict two-phase locking: {@link io.cacdb.engine.lock.LockManager} (modes, FIFO queues, upgrades,
 * deadlock detection, timeouts, cancellation) and {@link io.cacdb.engine.lock.NextKeyLocks}, the key-range locking
 * protocol the transaction layer follows around B+tree reads and writes. The protocol is {@code docs/locking.md}.
 */
package io.cacdb.engine.lock;
