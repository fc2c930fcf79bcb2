/*
 * berth: Berth's CNI plugin (spec 1.1.0; configs 0.4.0 and 1.0.0 too).
 *
 * A forwarder on purpose. A runtime starts the plugin once per ADD and DEL, so its own start-up is
 * part of every pod's network latency: a JVM, even with an AOT cache, spends 25-40 ms before main,
 * more than the whole budget. This program starts in well under a millisecond: it hands the CNI_*
 * variables (as CNI-* headers) and the configuration on stdin (as the body) to berthd's
 * POST /berth/cni over the Unix socket named by the configuration's "socket" (default
 * /run/berth/berth.sock), prints the answer, and exits 0 on HTTP 200, else 1. Every rule of the spec
 * (validation, results, error codes) lives in berthd (dev.berth.daemon.cni.CniApi). Only what
 * cannot reach berthd is answered here: VERSION, and errors 11 (try again later) or, for STATUS, 50
 * (not available) when berthd does not answer, and 4 for variables that cannot travel as headers.
 *
 * DEL while berthd is down succeeds, as the spec wants of DEL (a runtime whose DEL fails keeps retrying
 * and cannot finish removing the container): the plugin writes the request it could not send into
 * cni-pending/ beside the socket, which berthd applies when it starts and before every CNI call (so the
 * address, published ports and record go), and deletes CNI_IFNAME in CNI_NETNS itself, which takes the
 * veth pair with it. Only when it cannot write that record does DEL fail with 11.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/berth/berth.sock"
#define MAX_CONFIG (4 << 20)
#define MAX_HEADER 65536
#define TIMEOUT_SECONDS 300

static const char *const VARS[][2] = {
    {"CNI_COMMAND", "CNI-Command"}, {"CNI_CONTAINERID", "CNI-ContainerID"}, {"CNI_NETNS", "CNI-Netns"},
    {"CNI_IFNAME", "CNI-IfName"},   {"CNI_ARGS", "CNI-Args"},               {"CNI_PATH", "CNI-Path"},
};

static char version[64] = "1.1.0";

/* Writes s to stdout as a JSON string body (without quotes). */
static void json_escaped(const char *s) {
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
}

/* Prints a CNI error object and exits 1. */
static void fail(int code, const char *msg, const char *details) {
    printf("{\"cniVersion\":\"");
    json_escaped(version);
    printf("\",\"code\":%d,\"msg\":\"", code);
    json_escaped(msg);
    printf("\"");
    if (details && *details) {
        printf(",\"details\":\"");
        json_escaped(details);
        printf("\"");
    }
    printf("}\n");
    fflush(stdout);
    exit(1);
}

/*
 * The string value of a key of the top-level object, unescaped for the simple escapes; 0 when the key
 * is absent or not a string. Nested objects and arrays are skipped, so "socket" inside runtimeConfig
 * or prevResult is never taken for the plugin's own.
 */
static int top_level_string(const char *js, size_t n, const char *key, char *out, size_t cap) {
    int depth = 0, expect_key = 0;
    for (size_t i = 0; i < n; i++) {
        char c = js[i];
        if (c == '"') {
            size_t start = i + 1, j = start;
            while (j < n && js[j] != '"') j += js[j] == '\\' ? 2 : 1;
            if (j >= n) return 0;
            if (depth == 1 && expect_key) {
                size_t k = j + 1;
                while (k < n && strchr(" \t\r\n", js[k])) k++;
                if (k < n && js[k] == ':') {
                    k++;
                    while (k < n && strchr(" \t\r\n", js[k])) k++;
                    if (j - start == strlen(key) && memcmp(js + start, key, j - start) == 0) {
                        if (k >= n || js[k] != '"') return 0;
                        size_t o = 0;
                        for (k++; k < n && js[k] != '"' && o + 1 < cap; k++) {
                            if (js[k] == '\\' && k + 1 < n) k++;
                            out[o++] = js[k];
                        }
                        out[o] = 0;
                        return k < n && js[k] == '"';
                    }
                }
                expect_key = 0;
            }
            i = j;
        } else if (c == '{' || c == '[') {
            depth++;
            if (depth == 1) expect_key = c == '{';
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (c == ',' && depth == 1) {
            expect_key = 1;
        }
    }
    return 0;
}

static char *read_stdin(size_t *len) {
    size_t cap = 8192, n = 0;
    char *buf = malloc(cap);
    if (!buf) fail(5, "out of memory", "");
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_CONFIG) fail(6, "the network configuration on stdin is larger than 4 MB", "");
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf) fail(5, "out of memory", "");
        }
        ssize_t r = read(0, buf + n, cap - n);
        if (r == 0) break;
        if (r < 0) {
            if (errno == EINTR) continue;
            fail(5, "cannot read the network configuration from stdin", strerror(errno));
        }
        n += (size_t)r;
    }
    *len = n;
    return buf;
}

static void write_all(int fd, const char *p, size_t n, const char *socket_path) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) fail(11, "berthd closed the connection; try again later", socket_path);
        p += w;
        n -= (size_t)w;
    }
}

/*
 * Records a DEL berthd could not take: the request as it would have been sent, written aside and renamed
 * into <socket dir>/cni-pending/ so berthd never reads half a file. 0 on success.
 */
static int record_pending_del(const char *socket_path, const char *header, size_t h, const char *config, size_t len) {
    char copy[sizeof(((struct sockaddr_un *)0)->sun_path)], dir[256], tmp[320], final[320];
    snprintf(copy, sizeof copy, "%s", socket_path);
    snprintf(dir, sizeof dir, "%s/cni-pending", dirname(copy));
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) return -1;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(tmp, sizeof tmp, "%s/.%ld.%09ld-%d.tmp", dir, (long)now.tv_sec, now.tv_nsec, (int)getpid());
    snprintf(final, sizeof final, "%s/%ld.%09ld-%d.del", dir, (long)now.tv_sec, now.tv_nsec, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    int ok = write(fd, header, h) == (ssize_t)h && write(fd, config, len) == (ssize_t)len && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, final) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/*
 * Deletes the interface ifname in the namespace at netns (RTM_DELLINK by name), which deletes its veth
 * peer on the host too. Best effort: a namespace or interface already gone is what DEL wants anyway.
 */
static void delete_interface(const char *netns, const char *ifname) {
    size_t n = strlen(ifname) + 1;
    if (!netns || !*netns || n > IFNAMSIZ) return;
    int ns = open(netns, O_RDONLY | O_CLOEXEC);
    if (ns < 0) return;
    int entered = setns(ns, CLONE_NEWNET) == 0;
    close(ns);
    if (!entered) return;
    int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (s < 0) return;
    struct {
        struct nlmsghdr h;
        struct ifinfomsg i;
        char attrs[RTA_SPACE(IFNAMSIZ)];
    } req;
    memset(&req, 0, sizeof req);
    struct rtattr *a = (struct rtattr *)req.attrs;
    a->rta_type = IFLA_IFNAME;
    a->rta_len = RTA_LENGTH(n);
    memcpy(RTA_DATA(a), ifname, n);
    req.h.nlmsg_type = RTM_DELLINK;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    req.h.nlmsg_seq = 1;
    req.h.nlmsg_len = NLMSG_LENGTH(sizeof req.i) + RTA_ALIGN(a->rta_len);
    req.i.ifi_family = AF_UNSPEC;
    struct timeval tv = {.tv_sec = 5};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (send(s, &req, req.h.nlmsg_len, 0) == (ssize_t)req.h.nlmsg_len) {
        char ack[1024];
        (void)!recv(s, ack, sizeof ack, 0); /* the kernel's answer; ENODEV means it was gone already */
    }
    close(s);
}

int main(void) {
    size_t len;
    const char *command = getenv("CNI_COMMAND");
    char *config = read_stdin(&len);
    char found[256];
    if (!top_level_string(config, len, "cniVersion", version, sizeof version)) strcpy(version, "1.1.0");
    if (!command || !*command) fail(4, "CNI_COMMAND is not set", "");
    if (strcmp(command, "VERSION") == 0) {
        printf("{\"cniVersion\":\"");
        json_escaped(version);
        printf("\",\"supportedVersions\":[\"0.4.0\",\"1.0.0\",\"1.1.0\"]}\n");
        return 0;
    }
    char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)] = DEFAULT_SOCKET;
    if (top_level_string(config, len, "socket", found, sizeof found)) {
        if (strlen(found) >= sizeof socket_path) fail(7, "socket: the path is too long for a Unix socket", found);
        snprintf(socket_path, sizeof socket_path, "%s", found);
    }

    char header[MAX_HEADER];
    int h = snprintf(header, sizeof header,
                     "POST /berth/cni HTTP/1.1\r\nHost: berth\r\nConnection: close\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n", len);
    for (size_t i = 0; i < sizeof VARS / sizeof VARS[0]; i++) {
        const char *v = getenv(VARS[i][0]);
        if (!v) continue;
        if (strpbrk(v, "\r\n")) {
            char msg[128];
            snprintf(msg, sizeof msg, "%s contains a line break", VARS[i][0]);
            fail(4, msg, "");
        }
        h += snprintf(header + h, sizeof header - (size_t)h, "%s: %s\r\n", VARS[i][1], v);
        if ((size_t)h >= sizeof header) fail(4, "the CNI_ variables are longer than 64 KB", "");
    }
    /* Who sent it: berthd drops an ADD whose plugin died before berthd finished it (the runtime got no result
       and may already have sent its DEL); the PID namespace tells berthd whether the PID means anything to it. */
    char pidns[64] = "";
    ssize_t nl = readlink("/proc/self/ns/pid", pidns, sizeof pidns - 1);
    if (nl > 0) pidns[nl] = 0;
    h += snprintf(header + h, sizeof header - (size_t)h, "CNI-Plugin-Process: %d %s\r\n", (int)getpid(), pidns);
    h += snprintf(header + h, sizeof header - (size_t)h, "\r\n");
    if ((size_t)h >= sizeof header) fail(4, "the CNI_ variables are longer than 64 KB", "");

    int is_status = strcmp(command, "STATUS") == 0;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    memcpy(addr.sun_path, socket_path, strlen(socket_path) + 1);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        int err = errno;
        if (strcmp(command, "DEL") == 0 && record_pending_del(socket_path, header, (size_t)h, config, len) == 0) {
            delete_interface(getenv("CNI_NETNS"), getenv("CNI_IFNAME"));
            return 0;
        }
        errno = err;
        char msg[256], details[256];
        snprintf(msg, sizeof msg, "berthd does not answer on %s%s", socket_path,
                 is_status ? ": the plugin cannot add endpoints now" : "; try again later");
        snprintf(details, sizeof details, "connect: %s", strerror(errno));
        fail(is_status ? 50 : 11, msg, details);
    }
    struct timeval tv = {.tv_sec = TIMEOUT_SECONDS};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    write_all(fd, header, (size_t)h, socket_path);
    write_all(fd, config, len, socket_path);

    /* The answer: status line, headers, then Content-Length bytes (or up to the close). */
    size_t cap = 16384, n = 0;
    char *resp = malloc(cap);
    long body_at = -1, content_length = -1;
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            resp = realloc(resp, cap);
            if (!resp) fail(5, "out of memory", "");
        }
        ssize_t r = read(fd, resp + n, cap - n - 1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) fail(11, "no answer from berthd; try again later", strerror(errno));
        if (r == 0) break;
        n += (size_t)r;
        resp[n] = 0;
        if (body_at < 0) {
            char *end = strstr(resp, "\r\n\r\n");
            if (end) {
                body_at = end + 4 - resp;
                *end = 0;
                char *cl = strcasestr(resp, "\r\ncontent-length:");
                if (cl) content_length = strtol(cl + 17, NULL, 10);
                *end = '\r';
            }
        }
        if (body_at >= 0 && content_length >= 0 && (long)n >= body_at + content_length) break;
    }
    close(fd);
    resp[n] = 0;
    int status = 0;
    if (body_at < 0 || sscanf(resp, "HTTP/1.%*d %d", &status) != 1) fail(11, "berthd's answer was cut short; try again later", "");
    const char *body = resp + body_at;
    size_t body_len = content_length >= 0 && body_at + content_length <= (long)n ? (size_t)content_length : n - (size_t)body_at;
    if (status == 200) {
        fwrite(body, 1, body_len, stdout);
        return 0;
    }
    if (memmem(body, body_len, "\"code\"", 6)) {
        fwrite(body, 1, body_len, stdout);
        return 1;
    }
    char msg[64];
    snprintf(msg, sizeof msg, "berthd answered HTTP %d", status);
    resp[body_at + (long)body_len] = 0;
    fail(101, msg, body);
}
