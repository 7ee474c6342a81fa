/**
 * The database node as a process: its typed configuration ({@link io.cacdb.server.node.NodeConfig}), its lifecycle
 * ({@link io.cacdb.server.node.NodeRole}), start-up (cluster map → DAX client → create and fence the volume →
 * open the database → PostgreSQL protocol server) and graceful stop ({@link io.cacdb.server.node.Node}), and the
 * process entry point with its READY line ({@link io.cacdb.server.node.NodeMain}). See {@code docs/operations.md}.
 */
package io.cacdb.server.node;
