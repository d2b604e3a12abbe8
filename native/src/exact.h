// What makes every join path exact and identical: a kernel (float32 or int8) only proposes
// candidates, each within a proven bound of the threshold or above it, and every candidate is
// re-scored here before it counts. The re-score is THE similarity facesift reports:
//
//   sim(i, j) = float32( ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) ),
//   s_l = sum over k = l (mod 8), in increasing k, of double(x_ik) * double(x_jk), in double.
//
// A product of two float32 values is exact in double (24 + 24 bits <= 53), so a fused or separate
// multiply-add gives the same bits, and the eight lanes are independent sums: the value is the same
// on every instruction set, however the compiler vectorises it, and JavaScript reproduces it exactly
// (tests/unit/similarity/brute-force.ts). A pair qualifies when sim >= float32(threshold).
//
// Include this inside an anonymous namespace: each instruction-set build of a kernel gets its own
// copy, so the linker can never pick one compiled for a wider instruction set (that would SIGILL).
// Needs kernels.h.

inline int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }

// A job's columns in blocks of kPairBlock, walked last first: in a triangle the last blocks have
// the most rows, which balances the threads. Walk step `step` is block `index`, columns [j0, j1),
// paired with rows [job.rowStart, rowEnd) (none when rowEnd <= rowStart).
struct ColumnBlock {
  int64_t index, j0, j1, rowEnd;
};
inline int64_t columnBlocks(const facesift::PairJob& job) { return (job.colEnd - job.colStart + facesift::kPairBlock - 1) / facesift::kPairBlock; }
inline ColumnBlock columnBlock(const facesift::PairJob& job, int64_t blocks, int64_t step) {
  const int64_t index = blocks - 1 - step;
  const int64_t j0 = job.colStart + index * facesift::kPairBlock, j1 = imin(job.colEnd, j0 + facesift::kPairBlock);
  return {index, j0, j1, imin(job.rowEnd, j1 - 1)};
}

inline double exactDot(const float* a, const float* b, int32_t d) {
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int32_t k = 0;
  for (; k + 8 <= d; k += 8) {
#pragma GCC unroll 8
    for (int l = 0; l < 8; l++) s[l] += (double)a[k + l] * (double)b[k + l];
  }
  for (int l = 0; k < d; k++, l++) s[l] += (double)a[k] * (double)b[k];
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

// Per-thread tally of what a kernel accepted.
struct Tally {
  int64_t found;
  int64_t histogram[facesift::kHistogramBins];
};

// Re-scores candidate (i, j), i < j, and counts (and emits, while storing) it if it qualifies.
inline void acceptCandidate(facesift::PairJob& job, int64_t block, int64_t i, int64_t j, bool store, Tally& tally) {
  const float s = (float)exactDot(job.x + (size_t)i * job.d, job.x + (size_t)j * job.d, job.d);
  const bool cross = job.labels[i] != job.labels[j];
  if (!(s >= (cross ? job.crossThreshold : job.sameThreshold))) return;
  if (store) job.emit(job.ctx, block, (int32_t)i, (int32_t)j, s);
  if (cross) {
    int64_t bin = (int64_t)__builtin_floorf(s * 100.f) + 100;
    tally.histogram[bin < 0 ? 0 : bin > 200 ? 200 : bin]++;
  }
  tally.found++;
}

// Adds a thread's tally to the job's and says whether storing should go on (maxPairs not exceeded).
inline void addTally(facesift::PairJob& job, int64_t& qualifying, int& storing, Tally& tally) {
  if (tally.found && __atomic_add_fetch(&qualifying, tally.found, __ATOMIC_RELAXED) > job.maxPairs) {
    __atomic_store_n(&storing, 0, __ATOMIC_RELAXED);
  }
  tally.found = 0;
}

inline void addHistogram(facesift::PairJob& job, const Tally& tally) {
  for (int b = 0; b < facesift::kHistogramBins; b++) {
    if (tally.histogram[b]) __atomic_add_fetch(&job.crossHistogram[b], tally.histogram[b], __ATOMIC_RELAXED);
  }
}

// 2^-20: covers every float rounding made while computing a candidate's estimate and its bound
// (each at most 2^-24 relative, fewer than 16 of them, on magnitudes below norm_i * norm_j + |T|),
// plus the half ulp by which float32(sim) may exceed the double sum and the double sum's own error.
constexpr double kRoundingSlack = 1.0 / (1 << 20);

// Largest finite |threshold| (0 when none is finite).
inline double thresholdMagnitude(const facesift::PairJob& job) {
  double t = 0;
  if (__builtin_isfinite(job.crossThreshold) && __builtin_fabs(job.crossThreshold) > t) t = __builtin_fabs(job.crossThreshold);
  if (__builtin_isfinite(job.sameThreshold) && __builtin_fabs(job.sameThreshold) > t) t = __builtin_fabs(job.sameThreshold);
  return t;
}

// Rounds a non-negative double up to a float that is >= it.
inline float floatAbove(double v) {
  float f = (float)v;
  return (double)f >= v ? f : __builtin_nextafterf(f, __builtin_inff());
}

// CPU time of the calling thread: on a shared machine, rates per CPU-second stay comparable
// where wall-clock rates do not.
inline double threadCpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
