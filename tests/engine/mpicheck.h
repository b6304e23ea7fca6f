/* mpicheck.h - the end of an engine test run on several ranks: check.h's counts agreed
 * across MPI_COMM_WORLD, rank 0 prints the totals, a rank that failed says so. Returns the
 * exit code for every rank: 1 when any rank failed. Call it before MPI_Finalize. */
#ifndef PARC_MPICHECK_H
#define PARC_MPICHECK_H

#include <mpi.h>

#include "check.h"

static inline int check_mpi_done(void)
{
    int rank, fail = check_fail, any = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Allreduce(&fail, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (rank == 0) check_done();
    if (fail) fprintf(stderr, "rank %d: %d failed\n", rank, fail);
    return any != 0;
}

#endif
