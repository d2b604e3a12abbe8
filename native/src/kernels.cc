// Similarity kernels: register-blocked inner products with the filtering fused in, so that
// score tiles never leave registers and only surviving pairs are written anywhere.
//
// Why not faiss or plain BLAS: measured on the 2-core dev machine at 57,637 x 512, threshold 0.4
// (159k cross-identity pairs), 2 threads, OPENBLAS_CORETYPE=Haswell as set there; CPU seconds,
// because the machine was shared and wall times swung 2x:
//   faiss IndexFlatIP search k=64 in batches of 4096 (the reference)   54 s
//   faiss IndexFlatIP::range_search (full square, then filter)         44 s
//   OpenBLAS sgemm on 1024x1024 upper-triangle tiles + filter scan     36 s
//   this kernel, AVX-512 build                                         10 s (~5 s wall, extrapolated from an idle moment)
// The library paths write score blocks (or the full n x n square) to memory and scan them again
// for heaps or range results; that costs as much as the multiply. Here each 12x32 tile is compared
// with the threshold while still in registers, only i < j is computed (half of a k-NN self-join),
// and only candidates within a proven rounding bound of the threshold are re-scored (exact.h). The
// int8 join (int8.cc) is the default where the CPU has AVX2 or VNNI; this one is its float32 peer
// and the fallback the benchmarks compare with.
//
// This file is compiled once per instruction set (binding.gyp); everything lives in an
// anonymous namespace and no std:: templates are used, so no inline function compiled for
// AVX-512 can be picked by the linker for the baseline build (an ODR trap that would SIGILL).
#include "kernels.h"

#include <omp.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>

#ifndef FACESIFT_KERNEL_SET
#error "FACESIFT_KERNEL_SET must name the KernelSet this build defines"
#endif

namespace {

using facesift::kPairBlock;

#include "exact.h"

// Register blocking: MR rows x NV vectors of accumulators, plus NV column vectors and one
// broadcast, must fit the register file (32 zmm on AVX-512, 16 ymm/xmm otherwise).
#if defined(__AVX512F__)
constexpr int VW = 16, MR = 12;
#elif defined(__AVX2__)
constexpr int VW = 8, MR = 6;
#else
constexpr int VW = 4, MR = 6;
#endif
constexpr int NV = 2;
constexpr int NR = VW * NV;
static_assert(kPairBlock % NR == 0, "a pair block must hold whole column panels");

typedef float vf __attribute__((vector_size(VW * sizeof(float))));
typedef int32_t vi __attribute__((vector_size(VW * sizeof(float))));


float* allocFloats(int64_t count) {
  size_t bytes = ((size_t)count * sizeof(float) + 63) & ~(size_t)63;
  return static_cast<float*>(std::aligned_alloc(64, bytes ? bytes : 64));
}

inline const float* rowOf(const float* x, int32_t d, const int32_t* index, int64_t r) {
  return x + (size_t)(index ? index[r] : r) * d;
}

// Columns [c0, c0+count) as panels of NR vectors laid out [panel][k][NR], zero padded.
void packColumns(const float* x, int32_t d, const int32_t* index, int64_t c0, int64_t count, float* dst) {
  const int64_t panels = (count + NR - 1) / NR;
  for (int64_t p = 0; p < panels; p++) {
    float* panel = dst + (size_t)p * NR * d;
    for (int c = 0; c < NR; c++) {
      const int64_t col = p * NR + c;
      if (col < count) {
        const float* src = rowOf(x, d, index, c0 + col);
        for (int32_t k = 0; k < d; k++) panel[(size_t)k * NR + c] = src[k];
      } else {
        for (int32_t k = 0; k < d; k++) panel[(size_t)k * NR + c] = 0.f;
      }
    }
  }
}

// Up to MR rows laid out [k][MR] so a tile broadcasts from one stream, zero padded.
void packRows(const float* x, int32_t d, const int32_t* index, int64_t r0, int64_t count, float* dst) {
  for (int r = 0; r < MR; r++) {
    if (r < count) {
      const float* src = rowOf(x, d, index, r0 + r);
      for (int32_t k = 0; k < d; k++) dst[(size_t)k * MR + r] = src[k];
    } else {
      for (int32_t k = 0; k < d; k++) dst[(size_t)k * MR + r] = 0.f;
    }
  }
}

inline void tile(const float* a, const float* b, int32_t d, vf acc[MR][NV]) {
#pragma GCC unroll 16
  for (int r = 0; r < MR; r++)
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) acc[r][v] = vf{};
  for (int32_t k = 0; k < d; k++) {
    vf bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) std::memcpy(&bv[v], b + (size_t)k * NR + v * VW, sizeof(vf));
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) {
      const vf av = a[(size_t)k * MR + r] - vf{};
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) acc[r][v] += av * bv[v];
    }
  }
}

inline bool anyAtLeast(const vf acc[MR][NV], float threshold) {
  const vf t = threshold - vf{};
  vi hit = vi{};
#pragma GCC unroll 16
  for (int r = 0; r < MR; r++)
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) hit |= acc[r][v] >= t;
  int32_t any = 0;
  for (int l = 0; l < VW; l++) any |= hit[l];
  return any != 0;
}


// Recursive float32 summation of d products (one rounding each, FMA or not) is within
// gamma_d * sum |x_ik x_jk| <= gamma_d * |x_i| |x_j| of the exact dot product, gamma_d = d u / (1 - d u),
// u = 2^-24; every pair this kernel scores within that (plus the rounding slack) of its threshold or
// above it is re-scored exactly.
void pairs(facesift::PairJob& job) {
  const int32_t d = job.d;
  const int64_t blocks = columnBlocks(job);
  const int64_t lo = imin(job.rowStart, job.colStart), hi = imax(job.rowEnd, job.colEnd);
  double maxNorm = 0;
#pragma omp parallel for reduction(max : maxNorm)
  for (int64_t r = lo; r < hi; r++) {
    const double norm = __builtin_sqrt(exactDot(job.x + (size_t)r * d, job.x + (size_t)r * d, d));
    if (norm > maxNorm) maxNorm = norm;
  }
  const double u = 1.0 / (1 << 24), gamma = d * u / (1 - d * u);
  const double margin = (gamma + kRoundingSlack) * maxNorm * maxNorm * (1 + kRoundingSlack) + kRoundingSlack * thresholdMagnitude(job);
  const float crossBelow = job.crossThreshold - floatAbove(margin), sameBelow = job.sameThreshold - floatAbove(margin);
  const float tmin = crossBelow < sameBelow ? crossBelow : sameBelow;
  int64_t qualifying = 0;
  int storing = job.maxPairs >= 0;
  for (int b = 0; b < facesift::kHistogramBins; b++) job.crossHistogram[b] = 0;

#pragma omp parallel
  {
    float* colPack = allocFloats(kPairBlock * d);
    float* rowPack = allocFloats((int64_t)MR * d);
    Tally tally = {};
#pragma omp for schedule(dynamic, 1)
    for (int64_t step = 0; step < blocks; step++) {
      const auto [block, j0, j1, rowEnd] = columnBlock(job, blocks, step);
      if (job.rowStart >= rowEnd) continue;
      const int64_t panels = (j1 - j0 + NR - 1) / NR;
      packColumns(job.x, d, nullptr, j0, j1 - j0, colPack);
      for (int64_t i0 = job.rowStart; i0 < rowEnd; i0 += MR) {
        const int64_t rows = imin(MR, rowEnd - i0);
        const bool store = __atomic_load_n(&storing, __ATOMIC_RELAXED);
        packRows(job.x, d, nullptr, i0, rows, rowPack);
        for (int64_t p = 0; p < panels; p++) {
          const int64_t pj0 = j0 + p * NR, pj1 = imin(j1, pj0 + NR);
          if (i0 >= pj1 - 1) continue;
          vf acc[MR][NV];
          tile(rowPack, colPack + (size_t)p * NR * d, d, acc);
          if (!anyAtLeast(acc, tmin)) continue;
          for (int r = 0; r < rows; r++) {
            const int64_t i = i0 + r;
            const int32_t li = job.labels[i];
            for (int v = 0; v < NV; v++) {
              for (int l = 0; l < VW; l++) {
                const int64_t j = pj0 + v * VW + l;
                if (j <= i || j >= pj1) continue;
                if (acc[r][v][l] >= (job.labels[j] != li ? crossBelow : sameBelow)) acceptCandidate(job, block, i, j, store, tally);
              }
            }
          }
        }
        addTally(job, qualifying, storing, tally);
      }
    }
    addHistogram(job, tally);
    std::free(colPack);
    std::free(rowPack);
  }
  job.qualifying = qualifying;
}

void nearestOtherCentroid(const float* x, int64_t n, int32_t d, const int32_t* labels, const float* centroids,
                          int32_t m, int32_t* bestLabel, float* bestSim) {
  const int64_t panels = (m + NR - 1) / NR;
  float* colPack = allocFloats(panels * NR * d);
  packColumns(centroids, d, nullptr, 0, m, colPack);
  const int64_t microPanels = (n + MR - 1) / MR;
#pragma omp parallel
  {
    float* rowPack = allocFloats((int64_t)MR * d);
#pragma omp for schedule(dynamic, 16)
    for (int64_t mp = 0; mp < microPanels; mp++) {
      const int64_t i0 = mp * MR, rows = imin(MR, n - i0);
      packRows(x, d, nullptr, i0, rows, rowPack);
      float best[MR];
      int32_t which[MR];
      for (int r = 0; r < MR; r++) {
        best[r] = -INFINITY;
        which[r] = -1;
      }
      for (int64_t p = 0; p < panels; p++) {
        vf acc[MR][NV];
        tile(rowPack, colPack + (size_t)p * NR * d, d, acc);
        for (int r = 0; r < rows; r++) {
          for (int v = 0; v < NV; v++) {
            for (int l = 0; l < VW; l++) {
              const int64_t c = p * NR + v * VW + l;
              if (c >= m || c == labels[i0 + r]) continue;
              if (acc[r][v][l] > best[r]) {
                best[r] = acc[r][v][l];
                which[r] = (int32_t)c;
              }
            }
          }
        }
      }
      for (int r = 0; r < rows; r++) {
        bestLabel[i0 + r] = which[r];
        bestSim[i0 + r] = which[r] < 0 ? NAN : best[r];
      }
    }
    std::free(rowPack);
  }
  std::free(colPack);
}

void groupTopMean(const float* x, int32_t d, const int32_t* order, const int32_t* offsets, int32_t groups, int32_t k,
                  float* out) {
  if (k < 1) k = 1;
#pragma omp parallel
  {
    float* rowPack = allocFloats((int64_t)MR * d);
    float* top = allocFloats((int64_t)MR * k);
    float* colPack = nullptr;
    int64_t colCapacity = 0;
#pragma omp for schedule(dynamic, 1)
    for (int32_t g = 0; g < groups; g++) {
      const int32_t* members = order + offsets[g];
      const int64_t size = offsets[g + 1] - offsets[g];
      if (size == 1) out[members[0]] = NAN;
      if (size < 2) continue;
      const int64_t panels = (size + NR - 1) / NR;
      if (panels * NR * d > colCapacity) {
        std::free(colPack);
        colCapacity = panels * NR * d;
        colPack = allocFloats(colCapacity);
      }
      packColumns(x, d, members, 0, size, colPack);
      const int64_t keep = imin(k, size - 1);
      for (int64_t i0 = 0; i0 < size; i0 += MR) {
        const int64_t rows = imin(MR, size - i0);
        packRows(x, d, members, i0, rows, rowPack);
        // Unsorted top-k per row; `lowest` is the slot to replace once all k are filled.
        int64_t filled[MR] = {};
        int64_t lowest[MR] = {};
        for (int64_t p = 0; p < panels; p++) {
          vf acc[MR][NV];
          tile(rowPack, colPack + (size_t)p * NR * d, d, acc);
          for (int r = 0; r < rows; r++) {
            float* t = top + (size_t)r * k;
            for (int v = 0; v < NV; v++) {
              for (int l = 0; l < VW; l++) {
                const int64_t c = p * NR + v * VW + l;
                if (c >= size || c == i0 + r) continue;
                const float s = acc[r][v][l];
                if (filled[r] < keep) {
                  t[filled[r]++] = s;
                } else if (s > t[lowest[r]]) {
                  t[lowest[r]] = s;
                } else {
                  continue;
                }
                if (filled[r] == keep) {
                  int64_t q0 = 0;
                  for (int64_t q = 1; q < keep; q++) q0 = t[q] < t[q0] ? q : q0;
                  lowest[r] = q0;
                }
              }
            }
          }
        }
        for (int r = 0; r < rows; r++) {
          double sum = 0;
          for (int64_t q = 0; q < keep; q++) sum += top[(size_t)r * k + q];
          out[members[i0 + r]] = (float)(sum / (double)keep);
        }
      }
    }
    std::free(colPack);
    std::free(top);
    std::free(rowPack);
  }
}

// MR * NV independent multiply-add chains, as in tile(); each step depends on the last and the asm
// barrier keeps the multiplier opaque, so the compiler can neither hoist nor share the products.
double peak(double seconds) {
  double rate = 0;
  const double start = omp_get_wtime();
#pragma omp parallel reduction(+ : rate)
  {
    const double cpu0 = threadCpuSeconds();
    vf acc[MR][NV];
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 16
      for (int v = 0; v < NV; v++) acc[r][v] = (float)(r * NV + v) - vf{};
    vf b = 1.0f - vf{};
    const vf a = 0.999f - vf{};
    int64_t local = 0;
    while (omp_get_wtime() - start < seconds) {
      for (int rep = 0; rep < 1024; rep++) {
        asm("" : "+x"(b));
#pragma GCC unroll 16
        for (int r = 0; r < MR; r++)
#pragma GCC unroll 4
          for (int v = 0; v < NV; v++) acc[r][v] = acc[r][v] * b + a;
      }
      local += 1024;
    }
    float sink = 0;
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 16
      for (int v = 0; v < NV; v++) sink += acc[r][v][0];
    asm volatile("" : : "x"(sink));
    rate = (double)local / (threadCpuSeconds() - cpu0);
  }
  return rate * MR * NV * VW * 2;
}

}  // namespace

namespace facesift {
extern const KernelSet FACESIFT_KERNEL_SET;
const KernelSet FACESIFT_KERNEL_SET = {FACESIFT_KERNEL_ISA, pairs, nearestOtherCentroid, groupTopMean, peak};
}  // namespace facesift
