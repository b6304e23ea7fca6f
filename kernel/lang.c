/* lang.c - not written yet. */
