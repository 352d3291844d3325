/* The single-core fused multiply-add peak the native target's kernels are measured against: 16
   independent accumulators of the widest vectors -march=native gives, each step one FMA per
   accumulator, so the loop is bound by the FMA units, not by latency. Prints GFLOP/s. */
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__)
#define LANES 16
#elif defined(__AVX2__)
#define LANES 8
#else
#define LANES 4
#endif
typedef float vf __attribute__((vector_size(LANES * 4)));
#define ACC 16

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(void) {
  vf acc[ACC], a, b;
  for (int i = 0; i < LANES; i++) { a[i] = 0.999999f; b[i] = 1e-7f; }
  for (int k = 0; k < ACC; k++) for (int i = 0; i < LANES; i++) acc[k][i] = (float)k;
  const long steps = 100000000;
  double best = 0;
  for (int round = 0; round < 3; round++) {
    double t0 = seconds();
    for (long s = 0; s < steps; s++) {
      for (int k = 0; k < ACC; k++) acc[k] = acc[k] * a + b;
    }
    double gflops = 2.0 * LANES * ACC * (double)steps / (seconds() - t0) / 1e9;
    if (gflops > best) best = gflops;
  }
  float sum = 0;
  for (int k = 0; k < ACC; k++) for (int i = 0; i < LANES; i++) sum += acc[k][i];
  printf("fma peak: %.1f GFLOP/s (%d f32 lanes, %d accumulators, 1 thread; checksum %g)\n", best, LANES, ACC, (double)sum);
  return 0;
}
