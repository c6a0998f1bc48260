/* A small AppImage type-2 runtime, written for Consensus Desktop.
 *
 * An AppImage is this ELF program followed by a squashfs image of the AppDir. This runtime does
 * not mount the image (no FUSE, no setuid helper): it extracts it into a fresh temporary folder,
 * runs the folder's AppRun with the given arguments, waits for it and removes the folder. That is
 * what --appimage-extract-and-run does in the reference runtime, here also the default.
 *
 *   --appimage-extract-and-run ARGS  the default: extract, run AppRun ARGS, clean up
 *   --appimage-extract               extract into ./squashfs-root and stop
 *   --appimage-offset                print where the squashfs image starts
 *   --appimage-version, --appimage-help
 *
 * AppRun gets APPIMAGE (this file), APPDIR (the folder) and ARGV0. The squashfs image is read
 * with squashfuse's library (linked statically, like the compression libraries), so the runtime
 * needs nothing from the machine but a Linux kernel.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <squashfuse/squashfuse.h>
#include <squashfuse/util.h>

#define RUNTIME "consensus-desktop AppImage runtime 1"

/* The AppImage specification's optional update-information section (empty: no updates). */
__attribute__((section(".upd_info"), used)) static char upd_info[1024];

static pid_t child;

static int fail(const char *what, const char *name) {
    fprintf(stderr, "AppImage: %s%s%s (%s).\n", what, name ? ": " : "", name ? name : "",
            errno ? strerror(errno) : "bad image");
    return 1;
}

/* The image starts where this ELF file ends: after its section header table. */
static long image_offset(const char *self) {
    Elf64_Ehdr h;
    int fd = open(self, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, &h, sizeof h);
    close(fd);
    if (n != (ssize_t)sizeof h || memcmp(h.e_ident, ELFMAG, SELFMAG) != 0 ||
        h.e_ident[EI_CLASS] != ELFCLASS64)
        return -1;
    return (long)(h.e_shoff + (Elf64_Off)h.e_shentsize * h.e_shnum);
}

static int safe_name(const char *path) {
    /* squashfs names never hold "/", "." or "..": refuse an image that does */
    const char *p = path;
    while (*p) {
        const char *end = strchrnul(p, '/');
        size_t len = (size_t)(end - p);
        if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        p = *end ? end + 1 : end;
    }
    return 1;
}

static int write_file(sqfs *fs, sqfs_inode *inode, int dirfd, const char *path) {
    int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    inode->base.mode & 0777);
    if (fd < 0) return fail("cannot create", path);
    static char buf[1 << 20];
    sqfs_off_t done = 0, total = (sqfs_off_t)inode->xtra.reg.file_size;
    while (done < total) {
        sqfs_off_t size = total - done < (sqfs_off_t)sizeof buf ? total - done : (sqfs_off_t)sizeof buf;
        errno = 0;
        if (sqfs_read_range(fs, inode, done, &size, buf) != SQFS_OK || size <= 0) {
            close(fd);
            return fail("cannot read from the image", path);
        }
        for (char *p = buf; p < buf + size;) {
            ssize_t n = write(fd, p, (size_t)(buf + size - p));
            if (n < 0) {
                close(fd);
                return fail("cannot write", path);
            }
            p += n;
        }
        done += size;
    }
    fchmod(fd, inode->base.mode & 0777); /* never setuid, whatever the image says */
    return close(fd) == 0 ? 0 : fail("cannot write", path);
}

/* Extract the image at `offset` of `image` into the existing, empty folder `dest`. */
static int extract(const char *image, long offset, const char *dest) {
    sqfs fs;
    sqfs_fd_t fd;
    if (sqfs_fd_open(image, &fd, false) != SQFS_OK) return fail("cannot open", image);
    errno = 0;
    if (sqfs_init(&fs, fd, (size_t)offset) != SQFS_OK) {
        sqfs_fd_close(fd);
        return fail("no squashfs image after the runtime in", image);
    }
    int dirfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
    if (dirfd < 0) {
        sqfs_destroy(&fs);
        sqfs_fd_close(fd);
        return fail("cannot open", dest);
    }
    sqfs_traverse trv;
    sqfs_err err = sqfs_traverse_open(&trv, &fs, sqfs_inode_root(&fs));
    while (rc == 0 && err == SQFS_OK && sqfs_traverse_next(&trv, &err)) {
        if (trv.dir_end) continue;
        sqfs_inode inode;
        errno = 0;
        if (!safe_name(trv.path) || sqfs_inode_get(&fs, &inode, trv.entry.inode) != SQFS_OK) {
            rc = fail("bad entry in the image", trv.path);
            break;
        }
        switch (inode.base.inode_type) {
        case SQUASHFS_DIR_TYPE:
        case SQUASHFS_LDIR_TYPE:
            /* owner-writable while extracting, so its files can be created */
            if (mkdirat(dirfd, trv.path, (inode.base.mode & 0777) | 0700) != 0)
                rc = fail("cannot create", trv.path);
            break;
        case SQUASHFS_REG_TYPE:
        case SQUASHFS_LREG_TYPE:
            rc = write_file(&fs, &inode, dirfd, trv.path);
            break;
        case SQUASHFS_SYMLINK_TYPE:
        case SQUASHFS_LSYMLINK_TYPE: {
            char target[PATH_MAX];
            size_t size = sizeof target;
            if (inode.xtra.symlink_size >= sizeof target ||
                sqfs_readlink(&fs, &inode, target, &size) != SQFS_OK ||
                symlinkat(target, dirfd, trv.path) != 0)
                rc = fail("cannot create the link", trv.path);
            break;
        }
        default: /* devices, fifos, sockets: an AppDir has none */
            break;
        }
    }
    if (rc == 0 && err != SQFS_OK) rc = fail("cannot read the image", image);
    sqfs_traverse_close(&trv);
    sqfs_destroy(&fs);
    sqfs_fd_close(fd);
    close(dirfd);
    return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    return remove(path) == 0 ? 0 : (errno == ENOENT ? 0 : -1);
}

static void forward(int sig) {
    if (child > 0) kill(child, sig);
}

/* Extract into a fresh temporary folder, run AppRun there, remove the folder, return its code. */
static int extract_and_run(const char *self, long offset, int argc, char **argv) {
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX - 16], apprun[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/appimage_extracted_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) return fail("cannot make a temporary folder in", tmp ? tmp : "/tmp");
    int rc = extract(self, offset, dir);
    snprintf(apprun, sizeof apprun, "%s/AppRun", dir);
    if (rc == 0 && access(apprun, X_OK) != 0) rc = fail("no AppRun in the image", self);
    if (rc == 0) {
        setenv("APPIMAGE", self, 1);
        setenv("APPDIR", dir, 1);
        setenv("ARGV0", argv[0], 1);
        signal(SIGINT, SIG_IGN); /* the terminal's Ctrl-C reaches AppRun; we wait to clean up */
        signal(SIGQUIT, SIG_IGN);
        signal(SIGHUP, forward);
        signal(SIGTERM, forward);
        child = fork();
        if (child == 0) {
            signal(SIGINT, SIG_DFL);
            signal(SIGQUIT, SIG_DFL);
            argv[0] = apprun;
            execv(apprun, argv);
            _exit(fail("cannot run", apprun) + 126);
        }
        int status = 0;
        while (child > 0 && waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        rc = child < 0 ? fail("cannot start", apprun)
             : WIFEXITED(status) ? WEXITSTATUS(status)
                                 : 128 + WTERMSIG(status);
    }
    (void)argc;
    if (!getenv("NO_CLEANUP") && nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "AppImage: could not remove %s.\n", dir);
    return rc;
}

int main(int argc, char **argv) {
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return fail("cannot find this program's file", "/proc/self/exe");
    self[n] = '\0';
    long offset = image_offset(self);
    if (offset <= 0) return fail("not an ELF64 program", self);
    const char *opt = argc > 1 ? argv[1] : "";
    if (strcmp(opt, "--appimage-offset") == 0) {
        printf("%ld\n", offset);
        return 0;
    }
    if (strcmp(opt, "--appimage-version") == 0) {
        puts(RUNTIME);
        return 0;
    }
    if (strcmp(opt, "--appimage-help") == 0) {
        puts(RUNTIME "\n  --appimage-extract-and-run ARGS  (the default) extract to a temporary"
             " folder, run, remove it\n  --appimage-extract  into ./squashfs-root\n"
             "  --appimage-offset  where the squashfs image starts");
        return 0;
    }
    if (strcmp(opt, "--appimage-extract") == 0) {
        if (mkdir("squashfs-root", 0755) != 0) return fail("cannot create", "squashfs-root");
        int rc = extract(self, offset, "squashfs-root");
        if (rc == 0) puts("squashfs-root");
        return rc;
    }
    if (strncmp(opt, "--appimage-", 11) == 0 && strcmp(opt, "--appimage-extract-and-run") != 0) {
        errno = EINVAL;
        return fail("unknown option", opt);
    }
    if (strcmp(opt, "--appimage-extract-and-run") == 0) { /* drop it from AppRun's arguments */
        memmove(argv + 1, argv + 2, sizeof *argv * (size_t)(argc - 1));
        argc--;
    }
    return extract_and_run(self, offset, argc, argv);
}
