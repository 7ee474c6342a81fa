/**
 * Where a DAX server keeps its blocks: a small storage interface ({@link io.cacdb.dax.store.BlockStorage}) and its
 * RocksDB implementation. Nothing above this package sees RocksDB types; native errors arrive as
 * {@link io.cacdb.dax.store.StorageException} with the operation and address they concern.
 */
package io.cacdb.dax.store;
