package io.cacdb.engine.mtr;

/** How a page is latched while fixed: many readers or one writer. */
public enum LatchMode {
    SHARED,
    EXCLUSIVE
}
