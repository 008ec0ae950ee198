/*
 * The baseline peer for Pier's benchmarks: level-triggered epoll with no framework, one thread and one socket per
 * core sharing the port through SO_REUSEPORT (as the Java peers run a loop per core), to show how fast the machine
 * can go, so that the load driver is seen not to be the bottleneck.
 *
 *   pier-bench-server echo   PORT          TCP echo
 *   pier-bench-server poetry PORT FILE     sends FILE to every client, then closes (the fast poetry service)
 *   pier-bench-server udp    PORT          UDP echo
 *
 * Listens on 127.0.0.1:PORT (0 picks a free port) and prints "READY <port>" on stdout once it accepts.
 * Build: gcc -O2 -o pier-bench-server pier-bench-server.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_EVENTS 256
#define BUFFER_SIZE 65536

/* What a connection still has to send: the echo of its last read, or the rest of the poem. */
struct pending {
    const char *data;
    size_t length;
    size_t offset;
    char *owned; /* echo buffer of this connection, or NULL */
};

/* Indexed by descriptor: each descriptor belongs to one thread, so the threads never share an entry. */
static struct pending *pendings;
static int max_fds;
static __thread int epoll_fd;
static char *poem;
static size_t poem_length;

static void die(const char *what) {
    perror(what);
    exit(1);
}

/* Binds a socket to 127.0.0.1:*port; with port 0, sets *port to the one the system picked. */
static int open_socket(int type, int *port) {
    int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(*port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *) &address, sizeof address) < 0) die("bind");
    if (type == SOCK_STREAM && listen(fd, 4096) < 0) die("listen");
    socklen_t length = sizeof address;
    getsockname(fd, (struct sockaddr *) &address, &length);
    *port = ntohs(address.sin_port);
    return fd;
}

static void watch(int fd, int op, unsigned events) {
    struct epoll_event event = {.events = events, .data.fd = fd};
    if (epoll_ctl(epoll_fd, op, fd, &event) < 0) die("epoll_ctl");
}

static void drop(int fd) {
    free(pendings[fd].owned);
    memset(&pendings[fd], 0, sizeof pendings[fd]);
    close(fd); /* closing also removes the descriptor from the epoll set */
}

/* Sends what is pending; returns 1 when all was sent, 0 when the socket is full, -1 on error. */
static int flush_pending(int fd) {
    struct pending *p = &pendings[fd];
    while (p->offset < p->length) {
        ssize_t n = send(fd, p->data + p->offset, p->length - p->offset, MSG_NOSIGNAL);
        if (n < 0) return errno == EAGAIN ? 0 : -1;
        p->offset += (size_t) n;
    }
    p->length = p->offset = 0;
    return 1;
}

static void accept_all(int listener, int poetry) {
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != ECONNABORTED && errno != EMFILE && errno != ENFILE) perror("accept");
            return;
        }
        if (fd >= max_fds) { close(fd); continue; }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (poetry) {
            pendings[fd] = (struct pending) {.data = poem, .length = poem_length};
            int sent = flush_pending(fd);
            if (sent != 0) close(fd);
            else watch(fd, EPOLL_CTL_ADD, EPOLLOUT);
        } else {
            watch(fd, EPOLL_CTL_ADD, EPOLLIN);
        }
    }
}

static void on_ready(int fd, unsigned events, int poetry) {
    struct pending *p = &pendings[fd];
    if (poetry) {
        if (flush_pending(fd) != 0) drop(fd);
        return;
    }
    if (events & EPOLLOUT) {
        int sent = flush_pending(fd);
        if (sent < 0) { drop(fd); return; }
        if (sent == 0) return;
        watch(fd, EPOLL_CTL_MOD, EPOLLIN);
    }
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
    if (!p->owned && !(p->owned = malloc(BUFFER_SIZE))) die("malloc");
    ssize_t n = recv(fd, p->owned, BUFFER_SIZE, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN)) { drop(fd); return; }
    if (n < 0) return;
    p->data = p->owned;
    p->length = (size_t) n;
    p->offset = 0;
    int sent = flush_pending(fd);
    if (sent < 0) drop(fd);
    else if (sent == 0) watch(fd, EPOLL_CTL_MOD, EPOLLOUT); /* stop reading until the echo is out */
}

static void serve_tcp(int listener, int poetry) {
    watch(listener, EPOLL_CTL_ADD, EPOLLIN);
    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(epoll_fd, events, MAX_EVENTS, -1);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == listener) accept_all(listener, poetry);
            else on_ready(fd, events[i].events, poetry);
        }
    }
}

static void serve_udp(int fd) {
    watch(fd, EPOLL_CTL_ADD, EPOLLIN);
    struct epoll_event events[1];
    static __thread char buffer[BUFFER_SIZE];
    for (;;) {
        if (epoll_wait(epoll_fd, events, 1, -1) < 0 && errno != EINTR) die("epoll_wait");
        for (;;) {
            struct sockaddr_storage from;
            socklen_t length = sizeof from;
            ssize_t n = recvfrom(fd, buffer, sizeof buffer, 0, (struct sockaddr *) &from, &length);
            if (n < 0) break;
            sendto(fd, buffer, (size_t) n, 0, (struct sockaddr *) &from, length); /* a full queue drops, as UDP may */
        }
    }
}

static void read_poem(const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) die(path);
    struct stat info;
    if (fstat(fileno(file), &info) < 0) die("fstat");
    poem_length = (size_t) info.st_size;
    poem = malloc(poem_length + 1);
    if (!poem || fread(poem, 1, poem_length, file) != poem_length) die("read poem");
    fclose(file);
}

enum service { ECHO, POETRY, UDP };

struct loop {
    pthread_t thread;
    enum service service;
    int fd;
};

static void *run_loop(void *argument) {
    struct loop *loop = argument;
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd < 0) die("epoll_create1");
    if (loop->service == UDP) serve_udp(loop->fd);
    else serve_tcp(loop->fd, loop->service == POETRY);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3 || (strcmp(argv[1], "poetry") == 0 && argc < 4)) {
        fprintf(stderr, "usage: %s echo|poetry|udp PORT [POEM_FILE]\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    max_fds = (int) sysconf(_SC_OPEN_MAX);
    if (max_fds <= 0) max_fds = 65536;
    pendings = calloc((size_t) max_fds, sizeof *pendings);
    if (!pendings) die("setup");
    enum service service;
    if (strcmp(argv[1], "echo") == 0) service = ECHO;
    else if (strcmp(argv[1], "poetry") == 0) { service = POETRY; read_poem(argv[3]); }
    else if (strcmp(argv[1], "udp") == 0) service = UDP;
    else { fprintf(stderr, "unknown service %s: use echo, poetry or udp\n", argv[1]); return 2; }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int count = cores > 0 ? (int) cores : 1;
    struct loop *loops = calloc((size_t) count, sizeof *loops);
    if (!loops) die("setup");
    int port = atoi(argv[2]);
    /* Every socket is bound before the ready line, so no client meets a port with fewer loops than cores. */
    for (int i = 0; i < count; i++) {
        loops[i].service = service;
        loops[i].fd = open_socket(service == UDP ? SOCK_DGRAM : SOCK_STREAM, &port);
    }
    printf("READY %d\n", port);
    fflush(stdout);
    for (int i = 1; i < count; i++) {
        if (pthread_create(&loops[i].thread, NULL, run_loop, &loops[i]) != 0) die("pthread_create");
    }
    run_loop(&loops[0]);
    return 0;
}
