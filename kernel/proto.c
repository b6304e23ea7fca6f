/* proto.c - not written yet. */
