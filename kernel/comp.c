/* comp.c - not written yet. */
