// CLVShims: static inline helpers in include/clv_shims.h, and the output-cleanup signal handler
// below (it must be C: a signal handler may only call async-signal-safe functions).
#define _GNU_SOURCE
#include "clv_shims.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#define CLV_TEMP_SLOTS 16
#define CLV_TEMP_PATH_MAX 4096

// Paths of temporary outputs that exist under a name, one per slot: `state` 0 = free,
// 1 = being filled, 2 = registered (the handler reads only registered slots).
static char clv_temp_paths[CLV_TEMP_SLOTS][CLV_TEMP_PATH_MAX];
static atomic_int clv_temp_state[CLV_TEMP_SLOTS];
static atomic_flag clv_handlers_installed = ATOMIC_FLAG_INIT;

static void clv_cleanup_and_reraise(int sig) {
    for (int i = 0; i < CLV_TEMP_SLOTS; i++) {
        if (atomic_load(&clv_temp_state[i]) == 2) unlink(clv_temp_paths[i]);
    }
    // The default action (terminate) with the same signal, so the exit status says how the
    // process ended (128 + sig for a shell).
    signal(sig, SIG_DFL);
    raise(sig);
}

static void clv_install_handlers(void) {
    if (atomic_flag_test_and_set(&clv_handlers_installed)) return;
    const int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    for (unsigned k = 0; k < sizeof signals / sizeof signals[0]; k++) {
        struct sigaction old;
        // A signal the process was told to ignore (nohup, a shell's background job) stays ignored.
        if (sigaction(signals[k], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = clv_cleanup_and_reraise;
        sigemptyset(&action.sa_mask);
        sigaction(signals[k], &action, NULL);
    }
}

int clv_temp_register(const char *path) {
    clv_install_handlers();
    size_t n = strlen(path);
    if (n >= CLV_TEMP_PATH_MAX) return -1;
    for (int i = 0; i < CLV_TEMP_SLOTS; i++) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&clv_temp_state[i], &expected, 1)) {
            memcpy(clv_temp_paths[i], path, n + 1);
            atomic_store(&clv_temp_state[i], 2);
            return i;
        }
    }
    return -1;
}

void clv_temp_unregister(int slot) {
    if (slot >= 0 && slot < CLV_TEMP_SLOTS) atomic_store(&clv_temp_state[slot], 0);
}

int clv_open_unnamed(const char *directory) {
#if defined(__linux__) && defined(O_TMPFILE)
    // The name must be linkable later through /proc/self/fd: without /proc, no unnamed file.
    if (access("/proc/self/fd", X_OK) != 0) { errno = EOPNOTSUPP; return -1; }
    int fd;
    do { fd = open(directory, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666); } while (fd < 0 && errno == EINTR);
    return fd;
#else
    (void)directory;
    errno = EOPNOTSUPP;
    return -1;
#endif
}

int clv_link_unnamed(int fd, const char *path) {
#if defined(__linux__)
    char source[64];
    snprintf(source, sizeof source, "/proc/self/fd/%d", fd);
    return linkat(AT_FDCWD, source, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
#else
    (void)fd; (void)path;
    errno = EOPNOTSUPP;
    return -1;
#endif
}
