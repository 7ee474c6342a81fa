/**
 * The DAX data model shared by server and client: block addresses, versions, checksummed blocks.
 */
package io.cacdb.dax.block;
