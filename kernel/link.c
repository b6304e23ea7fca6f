/* link.c - not written yet. */
