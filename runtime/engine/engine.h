/* engine.h - one parc-engine rank: joins the MPI job, attaches to the kernel named in the
 * attach file, and runs the cells it is sent until SHUTDOWN or until the kernel is gone.
 * out_ reaches the kernel through eng_send/eng_input with the rt_t's opaque eng pointer. */
#ifndef PARC_ENGINE_H
#define PARC_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct eng eng_t;

/* The whole life of a rank: MPI_Init_thread, connect, serve, MPI_Finalize. Returns the
 * process exit status (0 after SHUTDOWN or when the kernel went away, 1 when the attach
 * file or MPI could not be used). Collective over MPI_COMM_WORLD. */
int eng_main(const char *attach_file);

/* Sends one message of link type `type` on the work socket, echoing the running request's
 * seq. 0, or -1 after logging the failure on stderr. */
int eng_send(eng_t *e, int type, const void *body, size_t n);

/* A RESULT body (link.h), held back: it travels inside the cell's DONE if nothing else is
 * sent before it, else as a RESULT of its own just before that other message. One message
 * less per displayed cell and rank, none per engine in a %px cell on the broadcast path. */
void eng_result(eng_t *e, const void *body, size_t n);

/* Waits on the work socket for the INPUT_REP answering this rank's INPUT_REQ. *line is
 * mem_alloc'ed and NUL-terminated, caller frees. PARC_EINTR when interrupted (or the kernel
 * went away), PARC_EIO when the front end has no stdin or the reply is malformed. */
int eng_input(eng_t *e, char **line, size_t *n, err_t *err);

/* Sends a LINK_FARM body (kernel/farm.h) and waits for the kernel's FARM_GO: reply gets its
 * farm id, first item and count, and dead[r] (nranks entries, or NULL) is set to 1 for each
 * engine r the kernel says died during the farm. 0, or PARC_EIO / PARC_EPROTO with err set. */
int eng_farm(eng_t *e, const void *body, size_t n, uint32_t reply[3], uint8_t *dead, int nranks,
             err_t *err);

#endif
