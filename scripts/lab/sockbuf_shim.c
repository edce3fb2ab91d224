/* LD_PRELOAD shim for the WAN lab's wire processes (vde_switch, wirefilter).
 * vde's data sockets default to a ~212 KB send buffer; at ~100 Mbit/s of bursty
 * traffic the wire then drops packets nobody asked it to drop. Every AF_UNIX
 * datagram socket created by the process gets 1 MiB send and receive buffers
 * (size overridable with WANLAB_SOCKBUF). libvdeplug loads its transport plugins
 * with dlopen(RTLD_DEEPBIND), which would make them bind libc's socket() directly and
 * bypass this shim, so dlopen is wrapped too and RTLD_DEEPBIND is dropped. Build: gcc -O2 -shared -fPIC -o sockbuf_shim.so sockbuf_shim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/socket.h>

int socket(int domain, int type, int protocol) {
    static int (*real_socket)(int, int, int);
    if (!real_socket) real_socket = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
    int fd = real_socket(domain, type, protocol);
    if (fd >= 0 && domain == AF_UNIX && (type & 0xf) == SOCK_DGRAM) {
        int size = 1 << 20;
        const char *env = getenv("WANLAB_SOCKBUF");
        if (env && atoi(env) > 0) size = atoi(env);
        /* *FORCE ignores net.core.[rw]mem_max (needs CAP_NET_ADMIN, which the lab has as root). */
        if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) != 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    }
    return fd;
}

void *dlopen(const char *file, int mode) {
    static void *(*real_dlopen)(const char *, int);
    if (!real_dlopen) real_dlopen = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
    return real_dlopen(file, mode & ~RTLD_DEEPBIND);
}
