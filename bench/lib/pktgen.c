/*
 * pktgen: paced sender of spoofed IPv4 frames through an AF_PACKET socket.
 * Compiled at bench time (bench/lib/tools.ts) and run only inside the
 * bench's client network namespace, towards the server veth.
 *
 * Traffic mix: a fraction `--mix` of the frames are TCP SYNs to `--port` (the
 * door's first sequence port) from spoofed sources; the rest is "other
 * traffic" that no door watches: TCP ACKs to 443, UDP to 53 and SYNs to 80,
 * in equal parts. Sources come from --src-base/--src-bits, either random or
 * sequential (--seq-src, for pre-filling exactly N distinct attempts).
 *
 * --udp-payload LEN: the door frames are instead UDP datagrams to --port
 * carrying LEN random base64 characters (junk of an SPA packet's size and
 * alphabet: it passes every check before the HMAC, which it fails).
 *
 * Bounded: stops after --count frames or --seconds, whichever comes first.
 * Prints one JSON line: {"sent":N,"seconds":S,"pps":R,"errors":E}.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_LEN 54 /* 14 ethernet + 20 IPv4 + 20 TCP (UDP frames are padded) */
#define FRAME_MAX 1514
#define HDR_LEN 42 /* 14 ethernet + 20 IPv4 + 8 UDP */
#define BATCH 64

static volatile sig_atomic_t stop_flag = 0;
static void on_signal(int sig) { (void)sig; stop_flag = 1; }

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t next_rand(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static double now_sec(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_mac(const char *s, uint8_t out[6]) {
  unsigned v[6];
  if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6) return -1;
  for (int i = 0; i < 6; i++) out[i] = (uint8_t)v[i];
  return 0;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc) {
  for (size_t i = 0; i + 1 < n; i += 2) acc += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (n & 1) acc += (uint32_t)(p[n - 1] << 8);
  return acc;
}

static uint16_t fold(uint32_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return (uint16_t)~acc;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/*
 * Fill one frame and return its length: kind 0 = SYN to the door port, 1 = ACK to 443,
 * 2 = UDP to 53, 3 = SYN to 80, 4 = UDP to the door port with `payload` base64 characters.
 */
static size_t build_frame(uint8_t *f, const uint8_t dmac[6], const uint8_t smac[6], uint32_t src, uint32_t dst,
                          int kind, uint16_t door_port, int payload) {
  memset(f, 0, FRAME_LEN);
  memcpy(f, dmac, 6);
  memcpy(f + 6, smac, 6);
  f[12] = 0x08; f[13] = 0x00;
  uint8_t *ip = f + 14;
  int udp = kind == 2 || kind == 4;
  uint16_t l4len = kind == 4 ? (uint16_t)(8 + payload) : udp ? 8 : 20;
  uint16_t tot = (uint16_t)(20 + l4len);
  ip[0] = 0x45;
  ip[2] = (uint8_t)(tot >> 8); ip[3] = (uint8_t)tot;
  uint16_t id = (uint16_t)next_rand();
  ip[4] = (uint8_t)(id >> 8); ip[5] = (uint8_t)id;
  ip[8] = 64;
  ip[9] = udp ? 17 : 6;
  uint32_t s = htonl(src), d = htonl(dst);
  memcpy(ip + 12, &s, 4);
  memcpy(ip + 16, &d, 4);
  uint16_t ipsum = fold(sum16(ip, 20, 0));
  ip[10] = (uint8_t)(ipsum >> 8); ip[11] = (uint8_t)ipsum;

  uint8_t *l4 = ip + 20;
  uint16_t sport = (uint16_t)(1024 + next_rand() % 60000);
  uint16_t dport = kind == 0 || kind == 4 ? door_port : kind == 1 ? 443 : kind == 2 ? 53 : 80;
  l4[0] = (uint8_t)(sport >> 8); l4[1] = (uint8_t)sport;
  l4[2] = (uint8_t)(dport >> 8); l4[3] = (uint8_t)dport;
  if (udp) {
    l4[4] = (uint8_t)(l4len >> 8); l4[5] = (uint8_t)l4len;
    for (int i = 0; i < (kind == 4 ? payload : 0); i += 8) {
      uint64_t r = next_rand();
      for (int j = 0; j < 8 && i + j < payload; j++, r >>= 6) l4[8 + i + j] = (uint8_t)B64[r & 63];
    }
  } else {
    uint32_t seq = (uint32_t)next_rand();
    memcpy(l4 + 4, &seq, 4);
    l4[12] = 0x50;                       /* data offset 5 words */
    l4[13] = kind == 1 ? 0x10 : 0x02;    /* ACK or SYN */
    l4[14] = 0xff; l4[15] = 0xff;        /* window */
  }
  /* pseudo-header checksum, so the server's stack treats the frames as real */
  uint8_t pseudo[12];
  memcpy(pseudo, ip + 12, 8);
  pseudo[8] = 0; pseudo[9] = ip[9];
  pseudo[10] = (uint8_t)(l4len >> 8); pseudo[11] = (uint8_t)l4len;
  uint16_t c = fold(sum16(l4, l4len, sum16(pseudo, 12, 0)));
  if (udp) { l4[6] = (uint8_t)(c >> 8); l4[7] = (uint8_t)c; }
  else { l4[16] = (uint8_t)(c >> 8); l4[17] = (uint8_t)c; }
  size_t len = (size_t)(14 + tot);
  return len < FRAME_LEN ? FRAME_LEN : len;
}

int main(int argc, char **argv) {
  const char *ifname = NULL, *dmac_s = NULL, *smac_s = NULL, *dst_s = NULL, *base_s = "100.64.0.0";
  double pps = 10000, seconds = 10, mix = 1.0;
  long long count = 1000000, seq_start = 0;
  int port = 7000, src_bits = 22, seq_src = 0, udp_payload = 0;
  for (int i = 1; i + 1 < argc || (i < argc && strcmp(argv[i], "--seq-src") == 0); i++) {
    const char *a = argv[i];
    if (strcmp(a, "--seq-src") == 0) { seq_src = 1; continue; }
    const char *v = argv[++i];
    if (strcmp(a, "--if") == 0) ifname = v;
    else if (strcmp(a, "--dst-mac") == 0) dmac_s = v;
    else if (strcmp(a, "--src-mac") == 0) smac_s = v;
    else if (strcmp(a, "--dst") == 0) dst_s = v;
    else if (strcmp(a, "--port") == 0) port = atoi(v);
    else if (strcmp(a, "--pps") == 0) pps = atof(v);
    else if (strcmp(a, "--count") == 0) count = atoll(v);
    else if (strcmp(a, "--seconds") == 0) seconds = atof(v);
    else if (strcmp(a, "--mix") == 0) mix = atof(v);
    else if (strcmp(a, "--src-base") == 0) base_s = v;
    else if (strcmp(a, "--src-bits") == 0) src_bits = atoi(v);
    else if (strcmp(a, "--seq-start") == 0) seq_start = atoll(v);
    else if (strcmp(a, "--udp-payload") == 0) udp_payload = atoi(v);
    else if (strcmp(a, "--seed") == 0) rng_state = strtoull(v, NULL, 10) * 0x9E3779B97F4A7C15ull + 1;
    else { fprintf(stderr, "pktgen: unknown option %s\n", a); return 2; }
  }
  uint8_t dmac[6], smac[6];
  struct in_addr dst, base;
  if (!ifname || !dmac_s || !smac_s || !dst_s || parse_mac(dmac_s, dmac) || parse_mac(smac_s, smac) ||
      !inet_aton(dst_s, &dst) || !inet_aton(base_s, &base) || src_bits < 1 || src_bits > 30 || pps <= 0 ||
      udp_payload < 0 || udp_payload > FRAME_MAX - HDR_LEN) {
    fprintf(stderr, "usage: pktgen --if IF --dst-mac MAC --src-mac MAC --dst IP [--port P --pps N --count N "
                    "--seconds S --mix F --src-base IP --src-bits B --seq-src --seq-start K --seed N --udp-payload LEN]\n");
    return 2;
  }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);

  int fd = socket(AF_PACKET, SOCK_RAW, 0);
  if (fd < 0) { perror("socket"); return 1; }
  int one = 1;
  setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
  int sndbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  struct sockaddr_ll sll = {0};
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = (int)if_nametoindex(ifname);
  sll.sll_halen = 6;
  memcpy(sll.sll_addr, dmac, 6);
  if (sll.sll_ifindex == 0) { perror("if_nametoindex"); return 1; }
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) { perror("bind"); return 1; }

  uint32_t base_h = ntohl(base.s_addr) & ~((1u << src_bits) - 1);
  uint32_t dst_h = ntohl(dst.s_addr);
  uint32_t span = 1u << src_bits;
  static uint8_t frames[BATCH][FRAME_MAX];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = frames[i];
    iov[i].iov_len = FRAME_LEN;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  uint64_t mix_threshold = (uint64_t)(mix * 1000000.0);
  long long sent = 0, errors = 0, seq = seq_start;
  unsigned kind_rr = 0;
  double t0 = now_sec(), deadline = t0 + seconds;
  while (!stop_flag && sent < count) {
    double t = now_sec();
    if (t >= deadline) break;
    long long due = (long long)((t - t0) * pps) + 1;
    if (due > count) due = count;
    long long n = due - sent;
    if (n <= 0) {
      /* ahead of schedule: sleep until the next frame is due (short sleeps keep pacing even) */
      double wait = (double)(sent + 1) / pps - (t - t0);
      if (wait > 0.00005) {
        struct timespec ts = {0, (long)(wait * 1e9 * 0.9)};
        nanosleep(&ts, NULL);
      }
      continue;
    }
    if (n > BATCH) n = BATCH;
    for (int i = 0; i < n; i++) {
      int door = (next_rand() % 1000000) < mix_threshold;
      uint32_t off = seq_src ? (uint32_t)(seq++ % span) : (uint32_t)(next_rand() % span);
      int kind = door ? (udp_payload > 0 ? 4 : 0) : (int)(1 + (kind_rr++ % 3));
      iov[i].iov_len = build_frame(frames[i], dmac, smac, base_h + off, dst_h, kind, (uint16_t)port, udp_payload);
    }
    int r = sendmmsg(fd, msgs, (unsigned)n, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      errors++;
      if (errno == ENOBUFS || errno == EAGAIN) continue;
      perror("sendmmsg");
      break;
    }
    sent += r;
  }
  double el = now_sec() - t0;
  printf("{\"sent\":%lld,\"seconds\":%.4f,\"pps\":%.1f,\"errors\":%lld}\n", sent, el, el > 0 ? (double)sent / el : 0.0, errors);
  close(fd);
  return 0;
}
