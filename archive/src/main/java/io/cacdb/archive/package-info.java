/**
 * Continuous log archive, online backups and point-in-time restore on S3 ({@code docs/archive.md}). Sub-packages:
 * {@code s3} (configuration and the object store), {@code log} (the archiver the active runs and the archived log as a
 * read-only volume), {@code backup} (fuzzy page copies, list, verify, expire) and {@code restore} (a new volume from a
 * backup plus the log up to a target).
 */
package io.cacdb.archive;
