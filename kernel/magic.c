/* magic.c - not written yet. */
