// bench: CPU-bound workloads for the emulator benchmark (tools/bench.py).
//
//   bench sha256|sort|matmul|chase [rounds]
//
// Each prints "bench NAME: done, checksum X, instret N": the checksum keeps
// the compiler from discarding the work and lets runs be compared; instret
// is the hart's retired-instruction count across the run (the kernel lets
// user mode read it), from which the benchmark computes guest MIPS.
#include "kernel/types.h"
#include "user/user.h"

static u64 rdinstret(void) {
  u64 x;
  asm volatile("rdinstret %0" : "=r"(x));
  return x;
}

// ---- sha256 (FIPS 180-4) over a 64 KiB buffer, `rounds` times

static const u32 K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(u32 h[8], const u8 *p) {
  u32 w[64];
  for (int i = 0; i < 16; i++)
    w[i] = (u32)p[4 * i] << 24 | (u32)p[4 * i + 1] << 16 | (u32)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    u32 s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
    u32 s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  u32 a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int i = 0; i < 64; i++) {
    u32 t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
    u32 t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static u64 sha256(int rounds) {
  static u8 buf[65536];
  for (int i = 0; i < sizeof(buf); i++)
    buf[i] = i * 7 + 3;
  u32 h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  for (int r = 0; r < rounds; r++)
    for (int off = 0; off < sizeof(buf); off += 64)
      sha256_block(h, buf + off);
  return (u64)h[0] << 32 | h[7];
}

// ---- sort: heapsort of 64 Ki pseudo-random words, `rounds` times

static u64 rng = 88172645463325252UL;
static u64 next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

static void sift(u64 *a, int start, int end) {
  int root = start;
  while (2 * root + 1 <= end) {
    int child = 2 * root + 1;
    if (child + 1 <= end && a[child] < a[child + 1]) child++;
    if (a[root] >= a[child]) return;
    u64 t = a[root]; a[root] = a[child]; a[child] = t;
    root = child;
  }
}

static u64 sort(int rounds) {
  int n = 65536;
  u64 *a = malloc(n * sizeof(u64)), sum = 0;
  for (int r = 0; r < rounds; r++) {
    for (int i = 0; i < n; i++) a[i] = next();
    for (int s = n / 2 - 1; s >= 0; s--) sift(a, s, n - 1);
    for (int e = n - 1; e > 0; e--) {
      u64 t = a[0]; a[0] = a[e]; a[e] = t;
      sift(a, 0, e - 1);
    }
    for (int i = 1; i < n; i++)
      if (a[i - 1] > a[i]) { printf("bench sort: not sorted!\n"); exit(1); }
    sum += a[n / 2];
  }
  free(a);
  return sum;
}

// ---- matmul: 128x128 integer matrices, `rounds` times

static u64 matmul(int rounds) {
  enum { N = 128 };
  static u32 A[N][N], B[N][N], C[N][N];
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) { A[i][j] = i + j; B[i][j] = i ^ j; }
  u64 sum = 0;
  for (int r = 0; r < rounds; r++) {
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) {
        u32 s = 0;
        for (int k = 0; k < N; k++) s += A[i][k] * B[k][j];
        C[i][j] = s;
      }
    sum += C[r % N][(r * 7) % N];
    A[r % N][0]++;
  }
  return sum;
}

// ---- chase: follow a random cyclic permutation through 4 MiB

static u64 chase(int rounds) {
  int n = 1 << 19;   // 512 Ki entries of 8 bytes: misses every cache and TLB
  u64 *next_index = malloc(n * sizeof(u64));
  for (int i = 0; i < n; i++) next_index[i] = i;
  for (int i = n - 1; i > 0; i--) {   // Sattolo: one cycle through everything
    int j = next() % i;
    u64 t = next_index[i]; next_index[i] = next_index[j]; next_index[j] = t;
  }
  u64 p = 0, sum = 0;
  for (int r = 0; r < rounds; r++)
    for (int i = 0; i < n; i++) { p = next_index[p]; sum += p * i; }
  free(next_index);
  return sum;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(2, "usage: bench sha256|sort|matmul|chase [rounds]\n");
    exit(1);
  }
  int rounds = argc > 2 ? atoi(argv[2]) : 10;
  u64 start = rdinstret(), sum;
  if (strcmp(argv[1], "sha256") == 0) sum = sha256(rounds);
  else if (strcmp(argv[1], "sort") == 0) sum = sort(rounds);
  else if (strcmp(argv[1], "matmul") == 0) sum = matmul(rounds);
  else if (strcmp(argv[1], "chase") == 0) sum = chase(rounds);
  else { fprintf(2, "bench: unknown workload %s\n", argv[1]); exit(1); }
  u64 n = rdinstret() - start;
  printf("bench %s: done, checksum %lx, instret %lu\n", argv[1], sum, n);
  exit(0);
}
