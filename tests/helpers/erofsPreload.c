/*
 * LD_PRELOAD fault injector for the storage tests (Linux, glibc). While the file named by
 * EARSHOT_EROFS_FLAG exists, every write, truncate and sync of a file under EARSHOT_EROFS_DIR
 * fails with EROFS: what the kernel answers for a file that is already open once the file
 * system under it has gone read-only (ext4 with errors=remount-ro after a disk error, an NFS
 * export switched to read-only). Reads are untouched, and removing the flag file ends the
 * fault. The kernel offers no way to do this to a healthy file system from outside:
 * `mount -o remount,ro` is refused (EBUSY) while any file on it is open for writing, as the
 * database is, and an ext4 forced read-only cannot be made writable again without unmounting.
 *
 * SQLite's unix VFS writes with pwrite64 (and write), truncates with ftruncate64 and syncs
 * with fsync/fdatasync (better_sqlite3.node imports exactly these), so they are the calls
 * wrapped here; the real ones are found with dlsym(RTLD_NEXT).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static char *flag_file;
static char *fault_dir;

__attribute__((constructor)) static void init(void) {
  const char *flag = getenv("EARSHOT_EROFS_FLAG");
  const char *dir = getenv("EARSHOT_EROFS_DIR");
  // Copied once: getenv is not safe against a concurrent setenv on another thread.
  if (flag && dir) {
    flag_file = strdup(flag);
    fault_dir = strdup(dir);
  }
}

/* Whether `fd` is a file under the faulty folder while the fault is on. */
static int faulty(int fd) {
  if (!flag_file || access(flag_file, F_OK) != 0) return 0;
  char link[64];
  char target[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, target, sizeof target - 1);
  if (n < 0) return 0;
  target[n] = '\0';
  size_t len = strlen(fault_dir);
  return strncmp(target, fault_dir, len) == 0 && target[len] == '/';
}

#define REAL(name) \
  static __typeof__(name) *real_##name; \
  if (!real_##name) real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

#define FAIL_IF_FAULTY(fd, value) \
  if (faulty(fd)) { \
    errno = EROFS; \
    return value; \
  }

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t offset) {
  REAL(pwrite64);
  FAIL_IF_FAULTY(fd, -1);
  return real_pwrite64(fd, buf, count, offset);
}

ssize_t write(int fd, const void *buf, size_t count) {
  REAL(write);
  FAIL_IF_FAULTY(fd, -1);
  return real_write(fd, buf, count);
}

int ftruncate64(int fd, off64_t length) {
  REAL(ftruncate64);
  FAIL_IF_FAULTY(fd, -1);
  return real_ftruncate64(fd, length);
}

int fsync(int fd) {
  REAL(fsync);
  FAIL_IF_FAULTY(fd, -1);
  return real_fsync(fd);
}

int fdatasync(int fd) {
  REAL(fdatasync);
  FAIL_IF_FAULTY(fd, -1);
  return real_fdatasync(fd);
}
