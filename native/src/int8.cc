// The int8 pair join: every vector quantised to int8 with its own scale, integer dot products in
// register tiles (AVX-512 VNNI vpdpbusd, AVX2 vpmaddubsw + vpmaddwd, or plain C++), and the threshold
// and cross-person filter applied to each tile while it is in registers, against a per-pair bound
// on the quantisation error. Only candidates leave a tile, and each is re-scored exactly
// (exact.h), so the result is the float32 result, pair for pair and bit for bit.
//
// The bound. Row i is quantised as a_i = s_i q_i (s_i = max_k |x_ik| / 127, q_ik = round(x_ik / s_i)
// in [-127, 127]) with residual e_i = x_i - a_i. Then, exactly,
//   x_i . x_j = a_i . a_j + a_i . e_j + e_i . x_j,
// so by Cauchy-Schwarz |x_i . x_j - s_i s_j (q_i . q_j)| <= |a_i| |e_j| + |e_i| |x_j| =: B_ij.
// q_i . q_j is computed exactly in int32 (|.| <= d * 127^2), and the norms are computed in double
// and rounded up. A pair is a candidate when s_i s_j (q_i . q_j) + B_ij + slack >= its threshold;
// every pair whose true similarity reaches the threshold is one, whatever the data.
//
// Compiled once per instruction set (binding.gyp); like kernels.cc, everything is in an anonymous
// namespace and no std:: templates are used, so no function compiled for a wider instruction set
// can be linked into a narrower build.
#include <omp.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "kernels.h"

#if defined(__AVX512VNNI__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#ifndef FACESIFT_INT8_SET
#error "FACESIFT_INT8_SET must name the PairKernel this build defines"
#endif

namespace {

using facesift::kPairBlock;

#include "exact.h"

// MR rows x NR columns per register tile; columns are packed [panel][k/4][NR][4 bytes], rows
// [k/4][MR][4 bytes], so one 32-bit broadcast of a row meets four k of NR columns.
#if defined(__AVX512VNNI__)
constexpr int LANES = 16, MR = 12, NV = 2;
// vpdpbusd multiplies unsigned by signed bytes: columns are stored as q + 128, and 128 * sum_k q_ik
// is taken off each row's sums afterwards.
constexpr int COLUMN_OFFSET = 128;
#elif defined(__AVX2__)
constexpr int LANES = 8, MR = 3, NV = 2;
constexpr int COLUMN_OFFSET = 0;
#else
constexpr int LANES = 8, MR = 4, NV = 2;
constexpr int COLUMN_OFFSET = 0;
#endif
constexpr int NR = LANES * NV;
static_assert(kPairBlock % NR == 0, "a pair block must hold whole column panels");


void* allocBytes(size_t bytes) {
  bytes = (bytes + 63) & ~(size_t)63;
  return std::aligned_alloc(64, bytes ? bytes : 64);
}

// The quantised rows lo..hi of the job, with what the bound needs per row.
struct Quantised {
  int64_t lo;
  int32_t dp;        // d rounded up to a multiple of 4 (zero padded)
  int8_t* q;         // (hi - lo) x dp
  float* scale;      // s_i
  float* normA;      // |a_i|, rounded up
  float* normE;      // |e_i|, rounded up
  float* normX;      // |x_i|, rounded up
  int32_t* offset;   // COLUMN_OFFSET * sum_k q_ik
  double maxNorm;    // max over rows of |x_i| and |a_i|
};

void quantise(const facesift::PairJob& job, int64_t lo, int64_t hi, Quantised& out) {
  const int32_t d = job.d, dp = (d + 3) & ~3;
  const int64_t rows = hi - lo;
  out.lo = lo;
  out.dp = dp;
  out.q = static_cast<int8_t*>(allocBytes((size_t)rows * dp));
  out.scale = static_cast<float*>(allocBytes(rows * sizeof(float)));
  out.normA = static_cast<float*>(allocBytes(rows * sizeof(float)));
  out.normE = static_cast<float*>(allocBytes(rows * sizeof(float)));
  out.normX = static_cast<float*>(allocBytes(rows * sizeof(float)));
  out.offset = static_cast<int32_t*>(allocBytes(rows * sizeof(int32_t)));
  double maxNorm = 0;
#pragma omp parallel for schedule(static) reduction(max : maxNorm)
  for (int64_t r = 0; r < rows; r++) {
    const float* x = job.x + (size_t)(lo + r) * d;
    int8_t* q = out.q + (size_t)r * dp;
    float top = 0;
    for (int32_t k = 0; k < d; k++) top = __builtin_fabsf(x[k]) > top ? __builtin_fabsf(x[k]) : top;
    const float s = top / 127.f;
    double aa = 0, ee = 0, xx = 0;
    int32_t sum = 0;
    for (int32_t k = 0; k < d; k++) {
      float v = s > 0 ? __builtin_roundf(x[k] / s) : 0.f;
      v = v > 127.f ? 127.f : v < -127.f ? -127.f : v;
      q[k] = (int8_t)v;
      sum += q[k];
      // s * q is exact in double (24 + 8 bits), so a and e are the true quantisation and residual.
      const double a = (double)s * (double)q[k], e = (double)x[k] - a;
      aa += a * a;
      ee += e * e;
      xx += (double)x[k] * (double)x[k];
    }
    for (int32_t k = d; k < dp; k++) q[k] = 0;
    // The double sums and square roots are off by far less than their relative 2^-20 margin.
    const double widen = 1 + kRoundingSlack;
    out.scale[r] = s;
    out.normA[r] = floatAbove(__builtin_sqrt(aa) * widen);
    out.normE[r] = floatAbove(__builtin_sqrt(ee) * widen);
    out.normX[r] = floatAbove(__builtin_sqrt(xx) * widen);
    out.offset[r] = COLUMN_OFFSET * sum;
    const double m = out.normA[r] > out.normX[r] ? out.normA[r] : out.normX[r];
    if (m > maxNorm) maxNorm = m;
  }
  out.maxNorm = maxNorm;
}

void release(Quantised& qd) {
  std::free(qd.q);
  std::free(qd.scale);
  std::free(qd.normA);
  std::free(qd.normE);
  std::free(qd.normX);
  std::free(qd.offset);
}

// Columns of one block, panel by panel, with the per-column values the tile filter reads.
struct ColumnPanels {
  uint8_t* bytes;   // [panel][k/4][NR][4]
  float* scale;     // [panel][NR], 0 past the last column
  float* normE;
  float* normX;
  int32_t* label;   // -1 past the last column
};

void packColumns(const Quantised& qd, const int32_t* labels, int64_t j0, int64_t count, ColumnPanels& out) {
  const int32_t k4 = qd.dp / 4;
  const int64_t panels = (count + NR - 1) / NR;
  for (int64_t p = 0; p < panels; p++) {
    uint8_t* panel = out.bytes + (size_t)p * NR * qd.dp;
    for (int c = 0; c < NR; c++) {
      const int64_t col = p * NR + c, at = p * NR + c;
      if (col < count) {
        const int64_t r = j0 + col - qd.lo;
        const int8_t* q = qd.q + (size_t)r * qd.dp;
        for (int32_t g = 0; g < k4; g++) {
          for (int b = 0; b < 4; b++) panel[((size_t)g * NR + c) * 4 + b] = (uint8_t)(q[g * 4 + b] + COLUMN_OFFSET);
        }
        out.scale[at] = qd.scale[r];
        out.normE[at] = qd.normE[r];
        out.normX[at] = qd.normX[r];
        out.label[at] = labels[j0 + col];
      } else {
        for (int32_t g = 0; g < k4; g++) {
          for (int b = 0; b < 4; b++) panel[((size_t)g * NR + c) * 4 + b] = 0;
        }
        out.scale[at] = 0;
        out.normE[at] = 0;
        out.normX[at] = 0;
        out.label[at] = -1;
      }
    }
  }
}

// Rows rowStart.. in chunks of MR, each laid out as a tile reads it, zero padded past rowEnd: packed
// once per call, as every column block reads every chunk.
int8_t* packRowChunks(const Quantised& qd, int64_t rowStart, int64_t rowEnd) {
  const int32_t k4 = qd.dp / 4;
  const int64_t chunks = (rowEnd - rowStart + MR - 1) / MR;
  const size_t chunkBytes = (size_t)MR * qd.dp;
  int8_t* packed = static_cast<int8_t*>(allocBytes(chunks * chunkBytes));
#pragma omp parallel for schedule(static)
  for (int64_t chunk = 0; chunk < chunks; chunk++) {
    int8_t* dst = packed + chunk * chunkBytes;
    for (int r = 0; r < MR; r++) {
      const int64_t row = rowStart + chunk * MR + r;
      const int8_t* q = row < rowEnd ? qd.q + (size_t)(row - qd.lo) * qd.dp : nullptr;
      for (int32_t g = 0; g < k4; g++) {
        for (int b = 0; b < 4; b++) dst[((size_t)g * MR + r) * 4 + b] = q ? q[g * 4 + b] : 0;
      }
    }
  }
  return packed;
}

// What the filter needs of the tile's rows (padded rows: anything) and columns (ColumnPanels).
struct RowInfo {
  int32_t offset[MR], label[MR];
  float scale[MR], normA[MR], normE[MR];
};

struct ColumnInfo {
  const float *scale, *normE, *normX;
  const int32_t* label;
};

// hits[r] bit c: pair (row r, column c) is a candidate, i.e. its estimate plus its bound reaches
// its threshold (less the slack, already taken off crossBelow and sameBelow). The integer sums are
// exact: sum_k row_r[k] * (column_c[k] + COLUMN_OFFSET) - offset_r.
#if defined(__AVX512VNNI__)
// In place: GCC 12 copies the accumulator around each _mm512_dpbusd_epi32 (and spills some),
// which halved the rate.
inline void dpbusd(__m512i& acc, __m512i u8, __m512i s8) { asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u8), "v"(s8)); }

inline void tile(const int8_t* rows, const uint8_t* cols, int32_t k4, const RowInfo& ri, const ColumnInfo& ci,
                 float crossBelow, float sameBelow, uint32_t hits[MR]) {
  __m512i a[MR][NV];
#pragma GCC unroll 16
  for (int r = 0; r < MR; r++)
#pragma GCC unroll 16
    for (int v = 0; v < NV; v++) a[r][v] = _mm512_setzero_si512();
  for (int32_t g = 0; g < k4; g++) {
    __m512i c[NV];
#pragma GCC unroll 16
    for (int v = 0; v < NV; v++) c[v] = _mm512_load_si512(cols + ((size_t)g * NR + v * LANES) * 4);
    const int8_t* row = rows + (size_t)g * MR * 4;
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) {
      int32_t four;
      std::memcpy(&four, row + r * 4, 4);
      const __m512i b = _mm512_set1_epi32(four);
#pragma GCC unroll 16
      for (int v = 0; v < NV; v++) dpbusd(a[r][v], c[v], b);
    }
  }
  const __m512 cross = _mm512_set1_ps(crossBelow), same = _mm512_set1_ps(sameBelow);
#pragma GCC unroll 16
  for (int r = 0; r < MR; r++) {
    uint32_t h = 0;
#pragma GCC unroll 16
    for (int v = 0; v < NV; v++) {
      const __m512i sum = _mm512_sub_epi32(a[r][v], _mm512_set1_epi32(ri.offset[r]));
      const __m512 estimate = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(sum), _mm512_set1_ps(ri.scale[r])),
                                            _mm512_loadu_ps(ci.scale + v * LANES));
      const __m512 upper = _mm512_fmadd_ps(_mm512_set1_ps(ri.normE[r]), _mm512_loadu_ps(ci.normX + v * LANES),
                                           _mm512_fmadd_ps(_mm512_set1_ps(ri.normA[r]), _mm512_loadu_ps(ci.normE + v * LANES), estimate));
      const __mmask16 other =
          _mm512_cmpneq_epi32_mask(_mm512_loadu_si512(ci.label + v * LANES), _mm512_set1_epi32(ri.label[r]));
      const __m512 threshold = _mm512_mask_blend_ps(other, same, cross);
      h |= (uint32_t)_mm512_cmp_ps_mask(upper, threshold, _CMP_GE_OQ) << (v * LANES);
    }
    hits[r] = h;
  }
}
#elif defined(__AVX2__)
// |row| (unsigned) times column-with-row's-sign (signed): each byte product is at most 127 * 127,
// so vpmaddubsw's pairwise int16 sums (<= 32,258) never saturate.
inline void tile(const int8_t* rows, const uint8_t* cols, int32_t k4, const RowInfo& ri, const ColumnInfo& ci,
                 float crossBelow, float sameBelow, uint32_t hits[MR]) {
  __m256i a[MR][NV];
  const __m256i ones = _mm256_set1_epi16(1);
#pragma GCC unroll 16
  for (int r = 0; r < MR; r++)
#pragma GCC unroll 16
    for (int v = 0; v < NV; v++) a[r][v] = _mm256_setzero_si256();
  for (int32_t g = 0; g < k4; g++) {
    __m256i c[NV];
#pragma GCC unroll 16
    for (int v = 0; v < NV; v++) c[v] = _mm256_load_si256(reinterpret_cast<const __m256i*>(cols + ((size_t)g * NR + v * LANES) * 4));
    const int8_t* row = rows + (size_t)g * MR * 4;
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++) {
      int32_t four;
      std::memcpy(&four, row + r * 4, 4);
      const __m256i b = _mm256_set1_epi32(four);
      const __m256i magnitude = _mm256_abs_epi8(b);
#pragma GCC unroll 16
      for (int v = 0; v < NV; v++) {
        const __m256i pairs = _mm256_maddubs_epi16(magnitude, _mm256_sign_epi8(c[v], b));
        a[r][v] = _mm256_add_epi32(a[r][v], _mm256_madd_epi16(pairs, ones));
      }
    }
  }
  const __m256 cross = _mm256_set1_ps(crossBelow), same = _mm256_set1_ps(sameBelow);
#pragma GCC unroll 16
  for (int r = 0; r < MR; r++) {
    uint32_t h = 0;
#pragma GCC unroll 16
    for (int v = 0; v < NV; v++) {
      const __m256i sum = _mm256_sub_epi32(a[r][v], _mm256_set1_epi32(ri.offset[r]));
      const __m256 estimate = _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(sum), _mm256_set1_ps(ri.scale[r])),
                                            _mm256_loadu_ps(ci.scale + v * LANES));
      const __m256 upper = _mm256_fmadd_ps(_mm256_set1_ps(ri.normE[r]), _mm256_loadu_ps(ci.normX + v * LANES),
                                           _mm256_fmadd_ps(_mm256_set1_ps(ri.normA[r]), _mm256_loadu_ps(ci.normE + v * LANES), estimate));
      const __m256i sameLabel = _mm256_cmpeq_epi32(
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ci.label + v * LANES)), _mm256_set1_epi32(ri.label[r]));
      const __m256 threshold = _mm256_blendv_ps(cross, same, _mm256_castsi256_ps(sameLabel));
      h |= (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(upper, threshold, _CMP_GE_OQ)) << (v * LANES);
    }
    hits[r] = h;
  }
}
#else
inline void tile(const int8_t* rows, const uint8_t* cols, int32_t k4, const RowInfo& ri, const ColumnInfo& ci,
                 float crossBelow, float sameBelow, uint32_t hits[MR]) {
  int32_t acc[MR][NR] = {};
  for (int32_t g = 0; g < k4; g++) {
    const int8_t* row = rows + (size_t)g * MR * 4;
    const int8_t* col = reinterpret_cast<const int8_t*>(cols) + (size_t)g * NR * 4;
    for (int r = 0; r < MR; r++) {
      for (int c = 0; c < NR; c++) {
        int32_t s = 0;
        for (int b = 0; b < 4; b++) s += (int32_t)row[r * 4 + b] * (int32_t)col[c * 4 + b];
        acc[r][c] += s;
      }
    }
  }
  for (int r = 0; r < MR; r++) {
    uint32_t h = 0;
    for (int c = 0; c < NR; c++) {
      const float estimate = (float)(acc[r][c] - ri.offset[r]) * ri.scale[r] * ci.scale[c];
      const float upper = estimate + ri.normA[r] * ci.normE[c] + ri.normE[r] * ci.normX[c];
      h |= (uint32_t)(upper >= (ci.label[c] != ri.label[r] ? crossBelow : sameBelow)) << c;
    }
    hits[r] = h;
  }
}
#endif

void pairs(facesift::PairJob& job) {
  const int64_t blocks = columnBlocks(job);
  const int64_t lo = imin(job.rowStart, job.colStart), hi = imax(job.rowEnd, job.colEnd);
  int64_t qualifying = 0;
  int storing = job.maxPairs >= 0;
  for (int b = 0; b < facesift::kHistogramBins; b++) job.crossHistogram[b] = 0;
  job.qualifying = 0;
  if (blocks <= 0 || lo >= hi) return;

  Quantised qd;
  quantise(job, lo, hi, qd);
  const int32_t k4 = qd.dp / 4;
  int8_t* rowChunks = packRowChunks(qd, job.rowStart, job.rowEnd);
  // The estimate and its bound are each below maxNorm^2 in magnitude (or the threshold's), and
  // are computed with a few float roundings; kRoundingSlack covers them.
  const float slack = floatAbove(kRoundingSlack * (qd.maxNorm * qd.maxNorm * 3 + thresholdMagnitude(job)));
  const float crossBelow = job.crossThreshold - slack, sameBelow = job.sameThreshold - slack;

#pragma omp parallel
  {
    ColumnPanels cp;
    cp.bytes = static_cast<uint8_t*>(allocBytes((size_t)kPairBlock * qd.dp));
    cp.scale = static_cast<float*>(allocBytes(kPairBlock * sizeof(float)));
    cp.normE = static_cast<float*>(allocBytes(kPairBlock * sizeof(float)));
    cp.normX = static_cast<float*>(allocBytes(kPairBlock * sizeof(float)));
    cp.label = static_cast<int32_t*>(allocBytes(kPairBlock * sizeof(int32_t)));
    Tally tally = {};
#pragma omp for schedule(dynamic, 1)
    for (int64_t step = 0; step < blocks; step++) {
      const auto [block, j0, j1, rowEnd] = columnBlock(job, blocks, step);
      if (job.rowStart >= rowEnd) continue;
      const int64_t panels = (j1 - j0 + NR - 1) / NR;
      packColumns(qd, job.labels, j0, j1 - j0, cp);
      for (int64_t i0 = job.rowStart; i0 < rowEnd; i0 += MR) {
        const int64_t rows = imin(MR, rowEnd - i0);
        const bool store = __atomic_load_n(&storing, __ATOMIC_RELAXED);
        const int8_t* rowPack = rowChunks + (size_t)((i0 - job.rowStart) / MR) * MR * qd.dp;
        RowInfo ri;
        for (int r = 0; r < MR; r++) {
          const int64_t at = i0 + (r < rows ? r : 0) - qd.lo;
          ri.offset[r] = qd.offset[at];
          ri.label[r] = job.labels[at + qd.lo];
          ri.scale[r] = qd.scale[at];
          ri.normA[r] = qd.normA[at];
          ri.normE[r] = qd.normE[at];
        }
        for (int64_t p = 0; p < panels; p++) {
          const int64_t pj0 = j0 + p * NR, pj1 = imin(j1, pj0 + NR);
          if (i0 >= pj1 - 1) continue;
          const ColumnInfo ci = {cp.scale + p * NR, cp.normE + p * NR, cp.normX + p * NR, cp.label + p * NR};
          uint32_t hits[MR];
          tile(rowPack, cp.bytes + (size_t)p * NR * qd.dp, k4, ri, ci, crossBelow, sameBelow, hits);
          for (int r = 0; r < rows; r++) {
            const int64_t i = i0 + r;
            for (uint32_t h = hits[r]; h; h &= h - 1) {
              const int64_t j = pj0 + __builtin_ctz(h);
              if (j > i && j < pj1) acceptCandidate(job, block, i, j, store, tally);
            }
          }
        }
        addTally(job, qualifying, storing, tally);
      }
    }
    addHistogram(job, tally);
    std::free(cp.bytes);
    std::free(cp.scale);
    std::free(cp.normE);
    std::free(cp.normX);
    std::free(cp.label);
  }
  std::free(rowChunks);
  release(qd);
  job.qualifying = qualifying;
}

// The inner step of tile() on MR * NV independent accumulators, registers only; the asm barriers
// keep the broadcast rows opaque, so nothing is hoisted out of the loop or shared between steps.
double peak(double seconds) {
  double rate = 0;
  const double start = omp_get_wtime();
#pragma omp parallel reduction(+ : rate)
  {
    const double cpu0 = threadCpuSeconds();
    int64_t local = 0;
    int32_t sink = 0;
#if defined(__AVX512VNNI__)
    __m512i a[MR][NV];
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 16
      for (int v = 0; v < NV; v++) a[r][v] = _mm512_set1_epi32(r * NV + v);
    const __m512i c = _mm512_set1_epi32(0x01020304);
    __m512i b = _mm512_set1_epi32(0x01010101);
    while (omp_get_wtime() - start < seconds) {
      for (int rep = 0; rep < 1024; rep++) {
        asm("" : "+v"(b));
#pragma GCC unroll 16
        for (int r = 0; r < MR; r++)
#pragma GCC unroll 16
          for (int v = 0; v < NV; v++) dpbusd(a[r][v], c, b);
      }
      local += 1024;
    }
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 16
      for (int v = 0; v < NV; v++) sink += _mm512_reduce_add_epi32(a[r][v]);
#elif defined(__AVX2__)
    __m256i a[MR][NV];
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 16
      for (int v = 0; v < NV; v++) a[r][v] = _mm256_set1_epi32(r * NV + v);
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i b[MR], c[NV];
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) b[r] = _mm256_set1_epi32(0x01ff01ff + r);
#pragma GCC unroll 16
    for (int v = 0; v < NV; v++) c[v] = _mm256_set1_epi32(0x01020304 + v);
    while (omp_get_wtime() - start < seconds) {
      for (int rep = 0; rep < 1024; rep++) {
#pragma GCC unroll 16
        for (int r = 0; r < MR; r++) {
          asm("" : "+x"(b[r]));
          const __m256i magnitude = _mm256_abs_epi8(b[r]);
#pragma GCC unroll 16
          for (int v = 0; v < NV; v++) {
            const __m256i pairs = _mm256_maddubs_epi16(magnitude, _mm256_sign_epi8(c[v], b[r]));
            a[r][v] = _mm256_add_epi32(a[r][v], _mm256_madd_epi16(pairs, ones));
          }
        }
      }
      local += 1024;
    }
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 16
      for (int v = 0; v < NV; v++) sink += _mm256_extract_epi32(a[r][v], 0);
#else
    int32_t a[MR][NR] = {};
    int32_t b = 3;
    while (omp_get_wtime() - start < seconds) {
      for (int rep = 0; rep < 1024; rep++) {
        asm("" : "+r"(b));
#pragma GCC unroll 16
        for (int r = 0; r < MR; r++)
#pragma GCC unroll 16
          for (int c = 0; c < NR; c++) a[r][c] += (int8_t)(b + c) * (int8_t)(b - r);
      }
      local += 1024;
    }
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 16
      for (int c = 0; c < NR; c++) sink += a[r][c];
    local /= 4;  // one step above is one byte per column, the vector paths' steps are four
#endif
    asm volatile("" : : "r"(sink));
    rate = (double)local / (threadCpuSeconds() - cpu0);
  }
  // One step: MR * NR columns x 4 bytes of multiply-adds.
  return rate * MR * NR * 4 * 2;
}

}  // namespace

namespace facesift {
extern const PairKernel FACESIFT_INT8_SET;
const PairKernel FACESIFT_INT8_SET = {FACESIFT_INT8_ISA, pairs, peak};
}  // namespace facesift
