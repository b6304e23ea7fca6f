/* arrfile.h - arrays to and from NumPy's .npy files, every engine reading and writing its
 * own part with MPI-IO collectives (a file view built from the layout, then
 * MPI_File_write_all / MPI_File_read_all), so the data never passes through one engine.
 *
 * Paths: a relative path is taken from engine 0's working directory (the kernel's when it
 * started the engines), and every engine opens the same absolute path, which must be on a
 * file system they all see. Errors (a missing file, a bad header, a dtype parc has not, a
 * truncated file, no room) are agreed: every engine returns the same code, and none is left
 * in a collective. In local view (rt->local) each engine reads or writes alone. */
#ifndef PARC_ARRFILE_H
#define PARC_ARRFILE_H

#include "arr.h"

/* save(path, v): v an array (any layout) or a number (a 0-d array), written in NumPy
 * 1.24's .npy format (the same bytes np.save writes) to a temporary name in the same
 * folder, which engine 0 renames to path once every engine has written its part: an
 * interrupted or failed save leaves path as it was. Collective in global view. */
int arr_save_npy(rt_t *rt, const val_t *v, const char *path, err_t *err);

/* load(path) in two steps, so that the layout can be parsed once the dimensions are known.
 * arr_npy_open: engine 0 reads and checks the header (missing file, bad magic or header,
 * a dtype parc has not, data shorter than the header says), every engine gets it. *f is the
 * caller's (arr_npy_close). arr_npy_ndim: its dimensions. arr_npy_read: a new array laid
 * out by spec (NULL: the default), or a scalar for a 0-d file; big-endian data is swapped,
 * Fortran-order data read as its transpose and laid out as asked. Both Collective in global
 * view; *out is the caller's. */
typedef struct arr_npy arr_npy_t;
int arr_npy_open(rt_t *rt, const char *path, arr_npy_t **f, err_t *err);
int arr_npy_ndim(const arr_npy_t *f);
int arr_npy_read(rt_t *rt, const arr_npy_t *f, const dist_spec_t *spec, val_t *out, err_t *err);
void arr_npy_close(arr_npy_t **f); /* NULL-safe; NULLs *f */

#endif
