/**
 * The DAX wire protocol: frame layout, typed messages, status codes and the Netty codec. Framing
 * ({@link io.cacdb.dax.wire.DaxFrameDecoder}), codec ({@link io.cacdb.dax.wire.WireFormat}) and handlers (in the
 * server and client packages) are kept apart. Specified in {@code docs/dax-protocol.md}.
 */
package io.cacdb.dax.wire;
