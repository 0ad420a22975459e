/*
 * knockprobe: legitimate knockers with precise knock-to-open timing. Run only
 * inside the bench's client namespace.
 *
 * For knocker i (source address src[i], started at i * gap-ms): send the
 * sequence like the knock client does (non-blocking connect() = one SYN, then
 * close), note t_last (just before the last knock's connect()), then start a
 * fresh non-blocking connect() to the protected port every --interval-us. A
 * SYN the firewall drops would only be retransmitted after 1 s, so new
 * sockets (new source ports) are what gives sub-millisecond resolution. The
 * first socket whose handshake completes stops the knocker: latency =
 * t_connected - t_last. Probes older than 50 ms are closed (bounds fds).
 * All knockers share one ppoll() loop, so they can overlap; bounded by
 * --timeout-ms per knocker and a hard overall deadline.
 *
 * SPA mode (--spa-file F --spa-port P): instead of the sequence, knocker i
 * sends line i of F as one UDP datagram to P (an SPA packet made for its
 * source); t_last is taken just before that sendto().
 *
 * Prints one JSON line per knocker: {"src":"..","ok":true,"latencyUs":N,"probes":N,"refused":N}.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_KNOCKERS 4096
#define MAX_SEQ 32
#define MAX_PROBES 256 /* per knocker, outstanding */
#define PROBE_MAX_AGE_US 50000

typedef struct {
  struct in_addr src;
  int state; /* 0 waiting, 1 probing, 2 done */
  double start_at, t_last, t_done;
  int ok, probes, refused;
  int fds[MAX_PROBES];
  double fd_t[MAX_PROBES];
  int nfds;
  double next_probe;
} knocker_t;

static volatile sig_atomic_t stop_flag = 0;
static void on_signal(int sig) { (void)sig; stop_flag = 1; }

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int open_connect(struct in_addr src, struct in_addr dst, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  struct sockaddr_in sa = {0};
  sa.sin_family = AF_INET;
  sa.sin_addr = src;
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { close(fd); return -1; }
  sa.sin_addr = dst;
  sa.sin_port = htons((unsigned short)port);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) { close(fd); return -1; }
  return fd;
}

static knocker_t ks[MAX_KNOCKERS];
static char *spa_payload[MAX_KNOCKERS];

/* One datagram from src to dst:port (the SPA packet); 0 when it went out. */
static int send_udp(struct in_addr src, struct in_addr dst, int port, const char *payload) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return -1;
  struct sockaddr_in sa = {0};
  sa.sin_family = AF_INET;
  sa.sin_addr = src;
  int r = -1;
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
    sa.sin_addr = dst;
    sa.sin_port = htons((unsigned short)port);
    r = sendto(fd, payload, strlen(payload), 0, (struct sockaddr *)&sa, sizeof sa) < 0 ? -1 : 0;
  }
  close(fd);
  return r;
}

/* Reads one payload line per knocker; returns how many (or -1). */
static int read_spa_file(const char *path, int max) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  static char line[4096];
  int n = 0;
  while (n < max && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    if (!line[0]) continue;
    spa_payload[n++] = strdup(line);
  }
  fclose(f);
  return n;
}

int main(int argc, char **argv) {
  const char *dst_s = NULL, *seq_s = NULL, *src_s = NULL, *spa_file = NULL;
  int port = 0, spa_port = 0;
  double interval_us = 200, timeout_ms = 3000, gap_ms = 200, delay_ms = 0, jitter_ms = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *a = argv[i], *v = argv[i + 1];
    if (strcmp(a, "--dst") == 0) dst_s = v;
    else if (strcmp(a, "--seq") == 0) seq_s = v;
    else if (strcmp(a, "--port") == 0) port = atoi(v);
    else if (strcmp(a, "--src") == 0) src_s = v;
    else if (strcmp(a, "--interval-us") == 0) interval_us = atof(v);
    else if (strcmp(a, "--timeout-ms") == 0) timeout_ms = atof(v);
    else if (strcmp(a, "--gap-ms") == 0) gap_ms = atof(v);
    else if (strcmp(a, "--delay-ms") == 0) delay_ms = atof(v);
    else if (strcmp(a, "--jitter-ms") == 0) jitter_ms = atof(v);
    else if (strcmp(a, "--spa-file") == 0) spa_file = v;
    else if (strcmp(a, "--spa-port") == 0) spa_port = atoi(v);
    else { fprintf(stderr, "knockprobe: unknown option %s\n", a); return 2; }
  }
  struct in_addr dst;
  int seq[MAX_SEQ], nseq = 0, nk = 0;
  if (!dst_s || (!seq_s && !spa_file) || !src_s || port <= 0 || !inet_aton(dst_s, &dst) || (spa_file && spa_port <= 0)) {
    fprintf(stderr, "usage: knockprobe --dst IP (--seq P1,P2,.. | --spa-file F --spa-port P) --port P --src IP1,IP2,.. [--interval-us N --timeout-ms N --gap-ms N --jitter-ms N --delay-ms N]\n");
    return 2;
  }
  char *seqdup = strdup(seq_s ? seq_s : ""), *save = NULL;
  for (char *t = strtok_r(seqdup, ",", &save); t && nseq < MAX_SEQ; t = strtok_r(NULL, ",", &save)) seq[nseq++] = atoi(t);
  char *srcdup = strdup(src_s);
  save = NULL;
  for (char *t = strtok_r(srcdup, ",", &save); t && nk < MAX_KNOCKERS; t = strtok_r(NULL, ",", &save)) {
    if (!inet_aton(t, &ks[nk].src)) { fprintf(stderr, "bad source %s\n", t); return 2; }
    nk++;
  }
  if (spa_file && read_spa_file(spa_file, nk) != nk) { fprintf(stderr, "%s: need one SPA packet per source (%d)\n", spa_file, nk); return 2; }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  setvbuf(stdout, NULL, _IOLBF, 0);

  double t0 = now_us();
  /* jitter spreads start times over the daemon's own timers (knockd polls pcap every 50 ms) */
  srand48((long)t0);
  for (int i = 0; i < nk; i++) ks[i].start_at = t0 + (i * gap_ms + drand48() * jitter_ms) * 1000.0;
  double hard_deadline = t0 + (nk * gap_ms + jitter_ms + timeout_ms + (nseq * delay_ms) + 5000) * 1000.0;
  int remaining = nk;
  static struct pollfd pfds[8192];
  static int owner[8192], slot[8192];

  while (remaining > 0 && !stop_flag && now_us() < hard_deadline) {
    double t = now_us();
    for (int i = 0; i < nk; i++) {
      knocker_t *k = &ks[i];
      if (k->state == 0 && t >= k->start_at && spa_file) {
        k->t_last = now_us();
        if (send_udp(k->src, dst, spa_port, spa_payload[i]) < 0) fprintf(stderr, "sendto from %s failed\n", inet_ntoa(k->src));
        k->state = 1;
        k->next_probe = now_us();
      }
      if (k->state == 0 && t >= k->start_at) {
        for (int s = 0; s < nseq; s++) {
          if (s == nseq - 1) k->t_last = now_us();
          int fd = open_connect(k->src, dst, seq[s]);
          if (fd >= 0) close(fd); /* SYN_SENT close sends nothing more: one SYN, like knock */
          if (delay_ms > 0 && s < nseq - 1) usleep((useconds_t)(delay_ms * 1000));
        }
        k->state = 1;
        k->next_probe = now_us();
      }
      if (k->state != 1) continue;
      t = now_us();
      /* retire old probes, start a new one when due */
      for (int p = 0; p < k->nfds;) {
        if (t - k->fd_t[p] > PROBE_MAX_AGE_US) {
          close(k->fds[p]);
          k->fds[p] = k->fds[--k->nfds];
          k->fd_t[p] = k->fd_t[k->nfds];
        } else p++;
      }
      if (t >= k->next_probe && k->nfds < MAX_PROBES) {
        int fd = open_connect(k->src, dst, port);
        if (fd >= 0) {
          k->fds[k->nfds] = fd;
          k->fd_t[k->nfds++] = t;
          k->probes++;
        }
        k->next_probe = t + interval_us;
      }
      if (t - k->t_last > timeout_ms * 1000.0) {
        for (int p = 0; p < k->nfds; p++) close(k->fds[p]);
        k->nfds = 0;
        k->state = 2;
        remaining--;
        printf("{\"src\":\"%s\",\"ok\":false,\"latencyUs\":null,\"probes\":%d,\"refused\":%d}\n", inet_ntoa(k->src), k->probes, k->refused);
      }
    }
    /* poll every outstanding probe; sleep at most until the next event is due */
    int n = 0;
    double next = t + 1000000;
    for (int i = 0; i < nk; i++) {
      knocker_t *k = &ks[i];
      if (k->state == 0 && k->start_at < next) next = k->start_at;
      if (k->state != 1) continue;
      if (k->next_probe < next) next = k->next_probe;
      for (int p = 0; p < k->nfds && n < 8192; p++) {
        pfds[n].fd = k->fds[p];
        pfds[n].events = POLLOUT;
        pfds[n].revents = 0;
        owner[n] = i;
        slot[n++] = p;
      }
    }
    double wait = next - now_us();
    if (wait < 0) wait = 0;
    if (wait > 100000) wait = 100000;
    struct timespec ts = {(time_t)(wait / 1e6), (long)((wait - (double)(time_t)(wait / 1e6) * 1e6) * 1000)};
    int r = ppoll(pfds, (nfds_t)n, &ts, NULL);
    if (r <= 0) continue;
    double tr = now_us();
    for (int j = 0; j < n; j++) {
      if (!pfds[j].revents) continue;
      knocker_t *k = &ks[owner[j]];
      if (k->state != 1) continue;
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(pfds[j].fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err == 0) {
        k->ok = 1;
        k->t_done = tr;
        k->state = 2;
        remaining--;
        for (int p = 0; p < k->nfds; p++) close(k->fds[p]);
        k->nfds = 0;
        printf("{\"src\":\"%s\",\"ok\":true,\"latencyUs\":%.1f,\"probes\":%d,\"refused\":%d}\n", inet_ntoa(k->src), k->t_done - k->t_last, k->probes, k->refused);
      } else {
        /* refused (RST) or error: drop this probe, keep probing */
        k->refused++;
        if (getenv("KP_DEBUG") && k->refused < 5) fprintf(stderr, "probe error %s revents %x\n", strerror(err), pfds[j].revents);
        int p = slot[j];
        if (p < k->nfds && k->fds[p] == pfds[j].fd) {
          close(k->fds[p]);
          k->fds[p] = -1;
          k->fd_t[p] = -1e18; /* retired on the next pass */
        }
      }
    }
  }
  for (int i = 0; i < nk; i++) {
    if (ks[i].state == 2) continue;
    for (int p = 0; p < ks[i].nfds; p++) if (ks[i].fds[p] >= 0) close(ks[i].fds[p]);
    printf("{\"src\":\"%s\",\"ok\":false,\"latencyUs\":null,\"probes\":%d,\"refused\":%d}\n", inet_ntoa(ks[i].src), ks[i].probes, ks[i].refused);
  }
  return 0;
}
