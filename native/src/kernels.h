// Entry points of the similarity kernels. kernels.cc (float32) and int8.cc (the int8 pair join)
// are compiled once per instruction set (see binding.gyp); similarity.cc picks the best the CPU
// supports at load time.
#pragma once
#include <cstdint>

namespace facesift {

// Column block width of the pair search; the caller keeps one output buffer per block so the
// result order does not depend on thread scheduling.
constexpr int64_t kPairBlock = 256;

// Cross-identity pairs counted per 0.01 of similarity: bin floor(sim * 100) + 100, clamped to 0..200.
constexpr int kHistogramBins = 201;

struct PairJob {
  const float* x;  // n x d, row-major
  int64_t n;
  int32_t d;
  // Only pairs with rowStart <= i < rowEnd and colStart <= j < colEnd (and i < j) are searched.
  int64_t rowStart, rowEnd, colStart, colEnd;
  const int32_t* labels;
  // A pair (i < j) qualifies when sim >= (labels differ ? crossThreshold : sameThreshold), sim as
  // defined in exact.h.
  float crossThreshold;
  float sameThreshold;
  // Qualifying pairs are emitted until more than maxPairs were found; after that they are only
  // counted, so an over-large result costs no memory and still yields exact counts.
  int64_t maxPairs;
  // Called from worker threads; `block` = (j - colStart) / kPairBlock, and one block is handled by
  // one thread, which emits a given row's pairs in increasing j.
  void (*emit)(void* ctx, int64_t block, int32_t i, int32_t j, float sim);
  void* ctx;
  // Outputs.
  int64_t qualifying;
  int64_t crossHistogram[kHistogramBins];
};

struct KernelSet {
  const char* isa;
  void (*pairs)(PairJob& job);
  // For each row: the best cosine to a centroid (m x d, normalised) whose index differs from the
  // row's label; label -1 / sim NaN when there is no other centroid.
  void (*nearestOtherCentroid)(const float* x, int64_t n, int32_t d, const int32_t* labels,
                               const float* centroids, int32_t m, int32_t* bestLabel, float* bestSim);
  // Groups are rows order[offsets[g] .. offsets[g+1]); out[row] = mean of the row's k highest
  // similarities to the other rows of its group (fewer when the group is smaller), NaN if alone.
  void (*groupTopMean)(const float* x, int32_t d, const int32_t* order, const int32_t* offsets,
                       int32_t groups, int32_t k, float* out);
  // Operations (a multiply-add counts two) per CPU-second of this path's inner-loop instructions on
  // registers alone, summed over all threads (about `seconds` each): the ceiling its join is
  // measured against, and on a shared machine what the threads would do with their cores alone.
  double (*peak)(double seconds);
};

// A pair join alone (int8.cc): the float32 sets' other kernels go with it.
struct PairKernel {
  const char* isa;
  void (*pairs)(PairJob& job);
  double (*peak)(double seconds);
};

extern const KernelSet kernelsBaseline;
extern const PairKernel int8Scalar;
#if defined(FACESIFT_X86_KERNELS)
extern const KernelSet kernelsAvx2;
extern const KernelSet kernelsAvx512;
extern const PairKernel int8Avx2;
extern const PairKernel int8Avx512Vnni;
#endif

}  // namespace facesift
