/** The DAX benchmark behind {@code ./cacdb dax-bench}: quorum writes and optimistic reads, with a local reference. */
package io.cacdb.dax.bench;
