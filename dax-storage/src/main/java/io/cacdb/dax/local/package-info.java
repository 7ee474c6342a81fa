/**
 * A whole DAX cluster on one machine, for tests, benchmarks and the local database node: servers in temporary
 * folders, in this JVM or as child processes, with stop, crash/kill and restart on the same directory and port.
 */
package io.cacdb.dax.local;
