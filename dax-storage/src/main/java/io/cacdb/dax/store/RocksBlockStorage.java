package io.cacdb.dax.store;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Checksums;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.UnaryOperator;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * {@link BlockStorage} on RocksDB.
 *
 * <p>Layout: one column family per {@link Space} ({@code page}, {@code log}, {@code meta}) holding blocks, and
 * {@code volumes} holding one control record per volume. Block key = volume (8 bytes, big-endian) + space code (1) +
 * blockNo (8, big-endian), so RocksDB's bytewise order is the order of {@link BlockAddress} (volumes and block
 * numbers are never negative). Block value = version major (8) + minor (8) + crc32c (4) + payload. Volume key = volume
 * (8); value = fenced epoch (8) + truncation point of PAGE, LOG, META (8 each).
 *
 * <p>Every commit is one {@link WriteBatch} written with a synced WAL. Every native object is closed: the long-lived
 * ones in {@link #close()}, the per-call ones (batches, iterators, read options) by try-with-resources.
 */
public final class RocksBlockStorage implements BlockStorage {

    /** Bytes of a block key: volume (8) + space code (1) + block number (8). */
    static final int BLOCK_KEY_BYTES = 17;
    /** Bytes before the payload in a stored block value: version major (8) + minor (8) + crc32c (4). */
    static final int VALUE_HEADER_BYTES = 20;
    /** Bytes of a volume record value: fenced epoch + three truncation points, 8 each. */
    static final int VOLUME_VALUE_BYTES = 32;

    private static final String VOLUMES_CF = "volumes";

    static {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final WriteOptions syncWrite;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles;
    private final ColumnFamilyHandle[] spaceHandles = new ColumnFamilyHandle[Space.values().length];
    private final ColumnFamilyHandle volumesHandle;
    /**
     * Held shared by every operation and exclusively by {@link #close()}: a native call on a closed RocksDB handle
     * crashes the JVM, so close waits for calls in progress and later calls fail with a Java exception instead.
     */
    private final ReentrantReadWriteLock closeLock = new ReentrantReadWriteLock();
    private boolean closed;

    private RocksBlockStorage(Path dir, DBOptions dbOptions, ColumnFamilyOptions cfOptions, WriteOptions syncWrite,
            RocksDB db, List<ColumnFamilyHandle> handles) {
        this.dir = dir;
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.syncWrite = syncWrite;
        this.db = db;
        this.handles = handles;
        // handles follow the descriptor order of open(): default, one per space, volumes
        for (Space s : Space.values()) {
            spaceHandles[s.ordinal()] = handles.get(1 + s.ordinal());
        }
        this.volumesHandle = handles.get(handles.size() - 1);
    }

    /** Opens (creating if needed) the store in {@code dir}. */
    public static RocksBlockStorage open(Path dir) {
        Objects.requireNonNull(dir, "dir");
        DBOptions dbOptions = null;
        ColumnFamilyOptions cfOptions = null;
        WriteOptions syncWrite = null;
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            dbOptions = new DBOptions()
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                    .setKeepLogFileNum(2);
            cfOptions = new ColumnFamilyOptions();
            syncWrite = new WriteOptions().setSync(true);
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
            for (Space s : Space.values()) {
                descriptors.add(new ColumnFamilyDescriptor(cfName(s), cfOptions));
            }
            descriptors.add(new ColumnFamilyDescriptor(VOLUMES_CF.getBytes(StandardCharsets.UTF_8), cfOptions));
            RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
            return new RocksBlockStorage(dir, dbOptions, cfOptions, syncWrite, db, handles);
        } catch (RocksDBException | java.io.IOException e) {
            handles.forEach(ColumnFamilyHandle::close);
            if (syncWrite != null) {
                syncWrite.close();
            }
            if (cfOptions != null) {
                cfOptions.close();
            }
            if (dbOptions != null) {
                dbOptions.close();
            }
            throw new StorageException("open", "dir " + dir, e);
        }
    }

    private static byte[] cfName(Space space) {
        return space.name().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Block read(BlockAddress address) {
        closeLock.readLock().lock();
        try {
            checkOpen();
            byte[] value = db.get(spaceHandles[address.space().ordinal()], blockKey(address));
            return value == null ? null : decodeBlock(address, value);
        } catch (RocksDBException e) {
            throw new StorageException("read", String.valueOf(address), e);
        } finally {
            closeLock.readLock().unlock();
        }
    }

    @Override
    public List<Block> scan(long volume, Space space, long fromBlockNo, long toBlockNo, int limit,
            Predicate<Block> keep) {
        List<Block> out = new ArrayList<>();
        if (fromBlockNo >= toBlockNo || limit <= 0) {
            return out;
        }
        byte[] end = blockKey(volume, space, toBlockNo);
        closeLock.readLock().lock();
        try {
            checkOpen();
            scanOpen(volume, space, fromBlockNo, end, limit, keep, out);
        } finally {
            closeLock.readLock().unlock();
        }
        return out;
    }

    /** The scan itself; called with the close lock held and the store open. */
    private void scanOpen(long volume, Space space, long fromBlockNo, byte[] end, int limit, Predicate<Block> keep,
            List<Block> out) {
        try (ReadOptions options = new ReadOptions();
                RocksIterator it = db.newIterator(spaceHandles[space.ordinal()], options)) {
            for (it.seek(blockKey(volume, space, fromBlockNo)); it.isValid() && out.size() < limit; it.next()) {
                byte[] key = it.key();
                if (Arrays.compareUnsigned(key, end) >= 0) {
                    break;
                }
                Block block = decodeBlock(new BlockAddress(volume, space, ByteBuffer.wrap(key).getLong(9)), it.value());
                if (keep.test(block)) {
                    out.add(block);
                }
            }
            it.status();
        } catch (RocksDBException e) {
            throw new StorageException("scan", "v" + volume + "/" + space + " from " + fromBlockNo, e);
        }
    }

    @Override
    public List<VolumeRecord> volumes() {
        List<VolumeRecord> out = new ArrayList<>();
        closeLock.readLock().lock();
        try {
            checkOpen();
            try (ReadOptions options = new ReadOptions(); RocksIterator it = db.newIterator(volumesHandle, options)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    out.add(decodeVolume(it.key(), it.value()));
                }
                it.status();
            }
        } catch (RocksDBException e) {
            throw new StorageException("load volumes", "dir " + dir, e);
        } finally {
            closeLock.readLock().unlock();
        }
        return out;
    }

    @Override
    public void commit(List<StorageMutation> mutations) {
        if (mutations.isEmpty()) {
            return;
        }
        closeLock.readLock().lock();
        try {
            checkOpen();
            writeBatch(mutations);
        } finally {
            closeLock.readLock().unlock();
        }
    }

    /** Builds and writes one synced batch; called with the close lock held and the store open. */
    private void writeBatch(List<StorageMutation> mutations) {
        try (WriteBatch batch = new WriteBatch()) {
            for (StorageMutation m : mutations) {
                switch (m) {
                    case StorageMutation.PutBlock p -> batch.put(spaceHandles[p.block().address().space().ordinal()],
                            blockKey(p.block().address()), encodeBlock(p.block()));
                    case StorageMutation.PutVolume v -> batch.put(volumesHandle, volumeKey(v.record().volume()),
                            encodeVolume(v.record()));
                    case StorageMutation.DeleteBelow d -> batch.deleteRange(spaceHandles[d.space().ordinal()],
                            blockKey(d.volume(), d.space(), 0), blockKey(d.volume(), d.space(), d.blockNo()));
                }
            }
            db.write(syncWrite, batch);
        } catch (RocksDBException e) {
            throw new StorageException("commit", mutations.size() + " mutations, first " + mutations.getFirst(), e);
        }
    }

    @Override
    public void close() {
        closeLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            handles.forEach(ColumnFamilyHandle::close);
            db.close();
            syncWrite.close();
            cfOptions.close();
            dbOptions.close();
        } finally {
            closeLock.writeLock().unlock();
        }
    }

    /** Called with the close lock held (shared or exclusive). */
    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("storage in " + dir + " is closed");
        }
    }

    /**
     * For tests that simulate damage at rest: opens the data directory of a <em>stopped</em> server, passes the raw
     * stored value of {@code address} (header + payload, see the class comment) to {@code rewrite} and stores what it
     * returns, bypassing every check. Returns false, changing nothing, when no value is stored there.
     */
    public static boolean rewriteRawValue(Path dataDir, BlockAddress address, UnaryOperator<byte[]> rewrite) {
        try (RocksBlockStorage storage = open(dataDir)) {
            ColumnFamilyHandle cf = storage.spaceHandles[address.space().ordinal()];
            byte[] key = blockKey(address);
            byte[] old = storage.db.get(cf, key);
            if (old == null) {
                return false;
            }
            storage.db.put(cf, storage.syncWrite, key, rewrite.apply(old.clone()));
            return true;
        } catch (RocksDBException e) {
            throw new StorageException("rewrite raw value", String.valueOf(address), e);
        }
    }

    // ------------------------------------------------------------------------------------------------ encodings

    static byte[] blockKey(BlockAddress a) {
        return blockKey(a.volume(), a.space(), a.blockNo());
    }

    static byte[] blockKey(long volume, Space space, long blockNo) {
        return ByteBuffer.allocate(BLOCK_KEY_BYTES).putLong(volume).put(space.code()).putLong(blockNo).array();
    }

    static byte[] encodeBlock(Block b) {
        return ByteBuffer.allocate(VALUE_HEADER_BYTES + b.payload().length)
                .putLong(b.version().major())
                .putLong(b.version().minor())
                .putInt(b.crc32c())
                .put(b.payload())
                .array();
    }

    /**
     * Decodes a stored value. A value too short for its header, or with a negative version, was damaged at rest: it
     * is returned as a version-ZERO block whose checksum cannot match, so every caller treats it as corrupt.
     */
    static Block decodeBlock(BlockAddress address, byte[] value) {
        if (value.length >= VALUE_HEADER_BYTES) {
            ByteBuffer buf = ByteBuffer.wrap(value);
            long major = buf.getLong();
            long minor = buf.getLong();
            int crc = buf.getInt();
            if (major >= 0 && minor >= 0) {
                byte[] payload = Arrays.copyOfRange(value, VALUE_HEADER_BYTES, value.length);
                return new Block(address, new Version(major, minor), crc, payload);
            }
        }
        return new Block(address, Version.ZERO, ~Checksums.crc32c(value), value);
    }

    static byte[] volumeKey(long volume) {
        return ByteBuffer.allocate(Long.BYTES).putLong(volume).array();
    }

    static byte[] encodeVolume(VolumeRecord r) {
        return ByteBuffer.allocate(VOLUME_VALUE_BYTES)
                .putLong(r.fencedEpoch())
                .putLong(r.pageTruncation())
                .putLong(r.logTruncation())
                .putLong(r.metaTruncation())
                .array();
    }

    private VolumeRecord decodeVolume(byte[] key, byte[] value) {
        if (key.length != Long.BYTES || value.length != VOLUME_VALUE_BYTES) {
            // Control records are written only by this class; a wrong size means damage at rest, and guessing an
            // epoch or truncation point could let a fenced writer back in, so refuse to start.
            throw new StorageException("load volumes", "dir " + dir + ": volume record of " + key.length + "/"
                    + value.length + " bytes, expected " + Long.BYTES + "/" + VOLUME_VALUE_BYTES, null);
        }
        ByteBuffer v = ByteBuffer.wrap(value);
        try {
            return new VolumeRecord(ByteBuffer.wrap(key).getLong(), v.getLong(), v.getLong(), v.getLong(), v.getLong());
        } catch (IllegalArgumentException e) {
            throw new StorageException("load volumes", "dir " + dir + ": damaged volume record", e);
        }
    }
}
