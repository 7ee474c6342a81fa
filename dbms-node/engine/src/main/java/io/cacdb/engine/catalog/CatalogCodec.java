package io.cacdb.engine.catalog;

import io.cacdb.engine.keys.KeyCodec;
import io.cacdb.engine.keys.KeyColumn;
import io.cacdb.engine.keys.KeyType;
import io.cacdb.engine.row.ColumnType;
import io.cacdb.engine.row.Row;
import io.cacdb.engine.row.RowCodec;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * How definitions are stored in the catalog B+tree: key = the relation's name (one {@link KeyType#TEXT} key column,
 * so tables and indexes share a namespace and a name is unique across both); value = a version byte, a kind byte
 * and the definition's fields ({@link DataOutputStream} encoding; a column default as a one-column row of
 * {@link RowCodec}). Stable: stored on pages and in the log.
 */
public final class CatalogCodec {

    /** The definition format this codec writes. */
    public static final int FORMAT_VERSION = 1;

    private static final int KIND_TABLE = 1;
    private static final int KIND_INDEX = 2;

    private static final KeyCodec NAME_KEY = KeyCodec.of(KeyColumn.asc(KeyType.TEXT));

    private CatalogCodec() {
    }

    /** The catalog key of a relation name. */
    public static byte[] key(String name) {
        return NAME_KEY.encode(name);
    }

    public static byte[] encode(RelationDef def) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            switch (def) {
                case TableDef t -> {
                    out.writeByte(KIND_TABLE);
                    out.writeLong(t.id());
                    out.writeUTF(t.name());
                    out.writeLong(t.primaryTreeId());
                    out.writeShort(t.columns().size());
                    for (ColumnDef c : t.columns()) {
                        out.writeUTF(c.name());
                        out.writeByte(c.type().kind().ordinal());
                        out.writeInt(c.type().length());
                        out.writeInt(c.type().precision());
                        out.writeInt(c.type().scale());
                        out.writeBoolean(c.nullable());
                        byte[] dflt = new RowCodec(List.of(c.type())).encode(Row.of(c.defaultValue()));
                        out.writeShort(dflt.length);
                        out.write(dflt);
                    }
                    out.writeShort(t.primaryKey().size());
                    for (int c : t.primaryKey()) {
                        out.writeShort(c);
                    }
                }
                case IndexDef i -> {
                    out.writeByte(KIND_INDEX);
                    out.writeLong(i.id());
                    out.writeUTF(i.name());
                    out.writeLong(i.tableId());
                    out.writeLong(i.treeId());
                    out.writeBoolean(i.unique());
                    out.writeBoolean(i.primary());
                    out.writeShort(i.columns().size());
                    for (IndexColumn c : i.columns()) {
                        out.writeShort(c.column());
                        out.writeBoolean(c.descending());
                        out.writeBoolean(c.nullsFirst());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Decodes a stored definition. Bytes that are not one (unknown version or kind, truncated, trailing bytes)
     * throw {@link IllegalArgumentException}: they come from checksummed pages, so that is a bug or a format mismatch.
     */
    public static RelationDef decode(byte[] value) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(value))) {
            int version = in.readUnsignedByte();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("catalog entry format " + version + " is not " + FORMAT_VERSION);
            }
            int kind = in.readUnsignedByte();
            RelationDef def = switch (kind) {
                case KIND_TABLE -> {
                    long id = in.readLong();
                    String name = in.readUTF();
                    long treeId = in.readLong();
                    int n = in.readUnsignedShort();
                    List<ColumnDef> columns = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        String colName = in.readUTF();
                        int k = in.readUnsignedByte();
                        if (k >= ColumnType.Kind.values().length) {
                            throw new IllegalArgumentException("column " + colName + ": type kind " + k);
                        }
                        ColumnType type = new ColumnType(ColumnType.Kind.values()[k], in.readInt(), in.readInt(),
                                in.readInt());
                        boolean nullable = in.readBoolean();
                        byte[] dflt = new byte[in.readUnsignedShort()];
                        in.readFully(dflt);
                        Object dfltValue = new RowCodec(List.of(type)).decode(dflt).get(0);
                        columns.add(new ColumnDef(colName, type, nullable, dfltValue));
                    }
                    int pk = in.readUnsignedShort();
                    List<Integer> primaryKey = new ArrayList<>(pk);
                    for (int i = 0; i < pk; i++) {
                        primaryKey.add(in.readUnsignedShort());
                    }
                    yield new TableDef(id, name, columns, primaryKey, treeId);
                }
                case KIND_INDEX -> {
                    long id = in.readLong();
                    String name = in.readUTF();
                    long tableId = in.readLong();
                    long treeId = in.readLong();
                    boolean unique = in.readBoolean();
                    boolean primary = in.readBoolean();
                    int n = in.readUnsignedShort();
                    List<IndexColumn> columns = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        columns.add(new IndexColumn(in.readUnsignedShort(), in.readBoolean(), in.readBoolean()));
                    }
                    yield new IndexDef(id, name, tableId, columns, unique, primary, treeId);
                }
                default -> throw new IllegalArgumentException("catalog entry kind " + kind);
            };
            if (in.available() != 0) {
                throw new IllegalArgumentException("catalog entry " + def.name() + " has " + in.available()
                        + " bytes after its end");
            }
            return def;
        } catch (EOFException e) {
            throw new IllegalArgumentException("catalog entry truncated", e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading from memory cannot fail", e);
        }
    }
}
