/**
 * The write-ahead log: record codec ({@link io.cacdb.engine.wal.LogRecordCodec}), log block format
 * ({@link io.cacdb.engine.wal.LogBlock}), the active's buffer and group-commit writer
 * ({@link io.cacdb.engine.wal.LogWriter}), the reader that recovery and the standby's tailer share
 * ({@link io.cacdb.engine.wal.LogReader}), end-of-log discovery for recovery and takeover
 * ({@link io.cacdb.engine.wal.LogEnd}), the META control records ({@link io.cacdb.engine.wal.MetaRecords}) and
 * truncation ({@link io.cacdb.engine.wal.LogTruncator}). Format: {@code docs/wal-format.md}; design: {@code docs/wal.md}.
 */
package io.cacdb.engine.wal;
