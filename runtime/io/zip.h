/* zip.h - the parts of the ZIP format (PKWARE's APPNOTE) that NumPy's .npz files use: the
 * records an archive of stored or deflated members needs, with their Zip64 extensions
 * (written by savez and savez_compressed), and the central directory (read by load, for
 * np.savez and np.savez_compressed files).
 * Pure byte work on buffers: arrfile.c does the file I/O. */
#ifndef PARC_ZIP_H
#define PARC_ZIP_H

#include <stddef.h>
#include <stdint.h>

#define ZIP_LOCAL  30          /* bytes of a local file header before its name */
#define ZIP_CENTER 46          /* bytes of a central directory entry before its name */
#define ZIP_END    22          /* bytes of the end of central directory record (no comment) */
#define ZIP_MAX    0xffffffffu /* sizes or offsets from here on need Zip64 */

typedef struct {
    char name[256];  /* member name (truncated names are refused by zip_entries) */
    uint16_t method; /* 0 stored, 8 deflated */
    uint16_t flags;  /* general purpose bits (bit 0: encrypted) */
    uint32_t crc;    /* CRC-32 of the uncompressed bytes */
    uint64_t csize;  /* bytes stored in the archive */
    uint64_t usize;  /* bytes once uncompressed */
    uint64_t offset; /* where its local header starts */
} zip_entry_t;

/* The local file header of member e (name, method, crc, csize, usize) into out (ZIP_LOCAL +
 * strlen(name) bytes, 20 more with zip64: the sizes then in a Zip64 extra field); its
 * length. */
size_t zip_local(uint8_t *out, const zip_entry_t *e, int zip64);
/* Its central directory entry (offset: of its local header) into out (ZIP_CENTER +
 * strlen(name) + up to 28 bytes); sizes and offset of ZIP_MAX or more, or all three with
 * zip64, in a Zip64 extra field. Its length. */
size_t zip_center(uint8_t *out, const zip_entry_t *e, int zip64);
/* The end of an archive whose n entries' directory of size bytes starts at offset, to be
 * written at `at`: with zip64, or values too large for the end record, the Zip64 end record
 * and its locator first (ZIP_END64 bytes in all); its length. */
#define ZIP_END64 (56 + 20 + ZIP_END)
size_t zip_end(uint8_t *out, uint64_t n, uint64_t size, uint64_t offset, uint64_t at, int zip64);

/* Where the central directory is, from the last `n` bytes of an archive of `fsize` bytes
 * (tail; the end record and, for Zip64, its locator and record must lie within it):
 * 0 with *count, *cdoff, *cdsize; 1 when the zip64 record lies before tail (*cdoff then
 * says where it starts: read from there and call again); -1 when this is not a ZIP file. */
int zip_directory(const uint8_t *tail, size_t n, uint64_t fsize, uint64_t *count, uint64_t *cdoff,
                  uint64_t *cdsize);
/* Parses count entries of a central directory (cd, n bytes) into e (count slots). 0, or -1
 * with the reason in msg (cap bytes). */
int zip_entries(const uint8_t *cd, size_t n, uint64_t count, zip_entry_t *e, char *msg, size_t cap);
/* The length of a local header (ZIP_LOCAL bytes at p): where member data starts, relative
 * to the header; 0 when p is not a local header. */
uint64_t zip_local_len(const uint8_t *p);

#endif
