/*
 * Atomic replacement of files (write.h): the temporary file lives in the
 * target's own directory, so the final rename never crosses a file system
 * and is atomic; every failure before it removes the temporary file.
 */
#define _XOPEN_SOURCE 700       /* realpath() */

#include "fix/write.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/mem.h"
#include "util/banned.h"

static int write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* A device or pipe: written in place, errors (ENOSPC on /dev/full) reported. */
static int write_direct(const char *path, const char *data, size_t len, char **err)
{
    int fd = open(path, O_WRONLY | O_TRUNC);

    if (fd < 0) {
        *err = kvl_xasprintf("cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    if (write_all(fd, data, len) < 0 || (fsync(fd) < 0 && errno != EINVAL && errno != EROFS)) {
        *err = kvl_xasprintf("cannot write '%s': %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (close(fd) < 0) {
        *err = kvl_xasprintf("cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static mode_t new_file_mode(void)
{
    mode_t mask = umask(0);

    umask(mask);
    return 0666 & ~mask;
}

int kvl_write_file(const char *path, const char *data, size_t len, bool in_place, char **err)
{
    struct stat st;
    bool exists = stat(path, &st) == 0;
    /* a symbolic link stays one: the file it points to is replaced */
    char *real = exists && S_ISREG(st.st_mode) ? realpath(path, NULL) : NULL;
    const char *target = real ? real : path;
    const char *slash = strrchr(target, '/');
    char *dir = slash ? kvl_xstrndup(target, (size_t)(slash - target) + 1) : kvl_xstrdup("");
    char *tmp = kvl_xasprintf("%s.%s.kvmlint-XXXXXX", dir, slash ? slash + 1 : target);
    mode_t mode;
    int fd = -1, rc = -1;

    if (!exists && (in_place || errno != ENOENT)) {
        *err = kvl_xasprintf("cannot write '%s': %s", path, strerror(errno));
        goto out;
    }
    if (exists && !S_ISREG(st.st_mode)) {
        if (in_place)
            *err = kvl_xasprintf("cannot fix '%s' in place: not a regular file", path);
        else
            rc = write_direct(path, data, len, err);
        goto out;
    }
    if (in_place && ((st.st_mode & 0222) == 0 || access(path, W_OK) != 0)) {
        *err = kvl_xasprintf("cannot fix '%s' in place: the file is read-only", path);
        goto out;
    }
    mode = exists ? st.st_mode & 07777 : new_file_mode();
    if ((fd = mkstemp(tmp)) < 0) {
        *err = kvl_xasprintf("cannot create a temporary file beside '%s': %s", path,
                             strerror(errno));
        goto out;
    }
    if (write_all(fd, data, len) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0) {
        *err = kvl_xasprintf("cannot write '%s': %s", tmp, strerror(errno));
        goto out_unlink;
    }
    if (close(fd) < 0) {
        fd = -1;
        *err = kvl_xasprintf("cannot write '%s': %s", tmp, strerror(errno));
        goto out_unlink;
    }
    fd = -1;
    if (rename(tmp, target) < 0) {
        *err = kvl_xasprintf("cannot replace '%s': %s", path, strerror(errno));
        goto out_unlink;
    }
    rc = 0;
    goto out;
out_unlink:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
out:
    free(tmp);
    free(dir);
    free(real);
    return rc;
}
