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

/* savez(path, ...): vals[0..n) (arrays of any layout, or numbers) as the members names[i] +
 * '.npy' of a ZIP archive, stored as np.savez writes it, or deflated (compress) as
 * np.savez_compressed, through a temporary name as save. Each engine moves its part of each
 * array to the row layout first (no copy when it has it), so its part is one run of bytes:
 * CRC-32s are combined, the runs (or each engine's deflated piece) written with MPI-IO.
 * Zip64 records for sizes of 4 GiB or more (on every record with PARC_ZIP64 set). Collective
 * in global view. */
int arr_save_npz(rt_t *rt, const char *const *names, const val_t *vals, int n, const char *path,
                 int compress, err_t *err);

/* load(path) in two steps, so that the layout can be parsed once the dimensions are known.
 * arr_npy_open: engine 0 reads and checks the header of a .npy file, or the directory and
 * every member's header of a .npz archive (np.savez, np.savez_compressed), and every engine
 * gets them (missing file, bad magic, header or directory, a dtype parc has not, data
 * shorter than the header says: the same error everywhere). *f is the caller's
 * (arr_npy_close). arr_npy_count: the members of an archive, -1 for a .npy file (one
 * array, i = 0). arr_npy_name, arr_npy_ndim: member i's name (without '.npy') and
 * dimensions. arr_npy_read: array i, laid out by spec (NULL: the default), or a scalar for
 * a 0-d array; big-endian data is swapped, Fortran-order data read as its transpose and laid
 * out as asked. Collective in global view; *out is the caller's. */
typedef struct arr_npy arr_npy_t;
int arr_npy_open(rt_t *rt, const char *path, arr_npy_t **f, err_t *err);
int arr_npy_count(const arr_npy_t *f);
const char *arr_npy_name(const arr_npy_t *f, int i);
int arr_npy_ndim(const arr_npy_t *f, int i);
int arr_npy_read(rt_t *rt, const arr_npy_t *f, int i, const dist_spec_t *spec, val_t *out,
                 err_t *err);
void arr_npy_close(arr_npy_t **f); /* NULL-safe; NULLs *f */

/* savetxt(path, a, fmt=..., delimiter=..., newline=..., header=..., footer=...,
 * comments=...) as NumPy writes it, for a 1-d (one value a line) or 2-d a of any layout,
 * gathered on engine 0 (a small file), through a temporary name. fmts: one Python
 * %-format (for each column, or with one conversion per column), or nfmt of them, one
 * per column (fmt_list set). Collective in global view. */
typedef struct {
    const char *const *fmts;
    int nfmt, fmt_list;
    const char *delimiter, *newline, *header, *footer, *comments;
} arr_txtfmt_t;
int arr_savetxt(rt_t *rt, const arr_t *a, const char *path, const arr_txtfmt_t *f, err_t *err);

/* loadtxt(path, dtype=, comments=, delimiter=, skiprows=, usecols=, unpack=, ndmin=,
 * max_rows=): engine 0 parses the file as NumPy's loadtxt does (comments to the end of a
 * line, blank lines skipped, fields split by delimiter or, when NULL, by whitespace), the
 * values go to every engine and each keeps its rows (the default layout). One row or one
 * column is squeezed to 1-d, one value is a scalar, as NumPy does with ndmin=0. Collective
 * in global view. */
typedef struct {
    int dtype;
    const char *comments, *delimiter; /* NULL: none / whitespace */
    int64_t skiprows, max_rows;       /* max_rows -1: all */
    const int64_t *usecols;           /* nusecols of them (0: every column) */
    int nusecols, unpack, ndmin;
} arr_txtread_t;
int arr_loadtxt(rt_t *rt, const char *path, const arr_txtread_t *o, val_t *out, err_t *err);

#endif
