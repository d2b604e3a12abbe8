// facesift_similarity: the few dense-similarity primitives lib/similarity needs, on typed arrays
// (faiss-node only takes number[], which costs ~1 s per 57k x 512 conversion) and off the JS thread
// (a full search takes seconds; a worker must keep heart-beating meanwhile).
// Input arrays are read in place while a call runs: callers must not modify them until it settles.
#include <napi.h>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "kernels.h"

namespace {

using facesift::KernelSet;

// Fastest first; the scalar builds run everywhere. The checks name exactly the -m flags each build
// gets in binding.gyp (and cover the OS saving the wider registers). The float32 builds also carry
// the centroid and group kernels, which an int8 join uses from the float32 build of its own width.
std::vector<KernelSet> supportedKernels() {
  std::vector<KernelSet> sets;
  auto withPairs = [](const KernelSet& floats, const facesift::PairKernel& join) {
    return KernelSet{join.isa, join.pairs, floats.nearestOtherCentroid, floats.groupTopMean, join.peak};
  };
#if defined(FACESIFT_X86_KERNELS)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
  if (avx512 && __builtin_cpu_supports("avx512vnni")) sets.push_back(withPairs(facesift::kernelsAvx512, facesift::int8Avx512Vnni));
  if (avx2) sets.push_back(withPairs(facesift::kernelsAvx2, facesift::int8Avx2));
  if (avx512) sets.push_back(facesift::kernelsAvx512);
  if (avx2) sets.push_back(facesift::kernelsAvx2);
#endif
  sets.push_back(withPairs(facesift::kernelsBaseline, facesift::int8Scalar));
  sets.push_back(facesift::kernelsBaseline);
  return sets;
}

const std::vector<KernelSet> supported = supportedKernels();
const KernelSet* active = &supported.front();

struct Matrix {
  const float* data;
  int64_t rows;
  int32_t dim;
};

Matrix matrixArg(const Napi::CallbackInfo& info, size_t at) {
  if (!info[at].IsTypedArray() || info[at].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(at) + " must be a Float32Array");
  }
  if (!info[at + 1].IsNumber()) throw Napi::TypeError::New(info.Env(), "dim must be a number");
  auto array = info[at].As<Napi::Float32Array>();
  const int64_t dim = info[at + 1].As<Napi::Number>().Int64Value();
  if (dim < 1 || dim > (1 << 20) || array.ElementLength() % dim != 0) {
    throw Napi::RangeError::New(info.Env(), "vector length is not a multiple of dim");
  }
  return {array.Data(), static_cast<int64_t>(array.ElementLength()) / dim, static_cast<int32_t>(dim)};
}

const int32_t* int32Arg(const Napi::CallbackInfo& info, size_t at, int64_t length, const char* name) {
  if (!info[at].IsTypedArray() || info[at].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be an Int32Array");
  }
  auto array = info[at].As<Napi::Int32Array>();
  if (length >= 0 && static_cast<int64_t>(array.ElementLength()) != length) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + " must have " + std::to_string(length) + " entries");
  }
  return array.Data();
}

double numberArg(const Napi::CallbackInfo& info, size_t at, const char* name) {
  if (!info[at].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  return info[at].As<Napi::Number>().DoubleValue();
}

// Keeps the given JS values (the input arrays) alive until the promise settles, and runs with the
// kernels active when the call was made.
class PromiseWorker : public Napi::AsyncWorker {
 public:
  PromiseWorker(const Napi::CallbackInfo& info, size_t keepArgs)
      : Napi::AsyncWorker(info.Env()), deferred_(Napi::Promise::Deferred::New(info.Env())), kernels_(active) {
    for (size_t a = 0; a < keepArgs; a++) {
      if (info[a].IsObject()) kept_.push_back(Napi::Persistent(info[a].As<Napi::Object>()));
    }
  }
  Napi::Promise Start() {
    Queue();
    return deferred_.Promise();
  }

 protected:
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }
  Napi::Promise::Deferred deferred_;
  const KernelSet* kernels_;

 private:
  std::vector<Napi::ObjectReference> kept_;
};

template <typename T, typename Array>
Array copyToTyped(Napi::Env env, const T* src, size_t count) {
  Array out = Array::New(env, count);
  if (count) std::memcpy(out.Data(), src, count * sizeof(T));
  return out;
}

struct BlockPairs {
  std::vector<int32_t> i, j;
  std::vector<float> sim;
};

void emitPair(void* ctx, int64_t block, int32_t i, int32_t j, float sim) {
  BlockPairs& out = (*static_cast<std::vector<BlockPairs>*>(ctx))[block];
  out.i.push_back(i);
  out.j.push_back(j);
  out.sim.push_back(sim);
}

struct PairRange {
  int64_t rowStart, rowEnd, colStart, colEnd;
};

class PairsWorker : public PromiseWorker {
 public:
  PairsWorker(const Napi::CallbackInfo& info, Matrix x, const int32_t* labels, float cross, float same, int64_t maxPairs,
              PairRange range)
      : PromiseWorker(info, 3) {
    job_ = {};
    job_.x = x.data;
    job_.n = x.rows;
    job_.d = x.dim;
    job_.rowStart = range.rowStart;
    job_.rowEnd = range.rowEnd;
    job_.colStart = range.colStart;
    job_.colEnd = range.colEnd;
    job_.labels = labels;
    job_.crossThreshold = cross;
    job_.sameThreshold = same;
    job_.maxPairs = maxPairs;
    job_.emit = emitPair;
    job_.ctx = &blocks_;
  }

 protected:
  void Execute() override {
    try {
      blocks_.resize((job_.colEnd - job_.colStart + facesift::kPairBlock - 1) / facesift::kPairBlock);
      kernels_->pairs(job_);
      orderByRow();
    } catch (const std::bad_alloc&) {
      SetError("out of memory while collecting pairs");
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    auto result = Napi::Object::New(env);
    result.Set("i", copyToTyped<int32_t, Napi::Int32Array>(env, i_.data(), i_.size()));
    result.Set("j", copyToTyped<int32_t, Napi::Int32Array>(env, j_.data(), j_.size()));
    result.Set("sim", copyToTyped<float, Napi::Float32Array>(env, sim_.data(), sim_.size()));
    result.Set("qualifying", Napi::Number::New(env, static_cast<double>(job_.qualifying)));
    auto histogram = Napi::Float64Array::New(env, facesift::kHistogramBins);
    for (int b = 0; b < facesift::kHistogramBins; b++) histogram[b] = static_cast<double>(job_.crossHistogram[b]);
    result.Set("crossHistogram", histogram);
    deferred_.Resolve(result);
  }

 private:
  // Pairs in increasing (i, j), whichever kernel found them and however the blocks were scheduled,
  // so a tile's pairs are exactly its rows and columns cut out of the whole join, in the same order.
  // A stable counting sort by i: blocks are visited in increasing j, and each emits a row's pairs in
  // increasing j.
  void orderByRow() {
    const int64_t rows = job_.rowEnd > job_.rowStart ? job_.rowEnd - job_.rowStart : 0;
    std::vector<int64_t> start(rows + 1, 0);
    size_t total = 0;
    for (const auto& b : blocks_) {
      for (int32_t i : b.i) start[i - job_.rowStart + 1]++;
      total += b.i.size();
    }
    for (int64_t r = 0; r < rows; r++) start[r + 1] += start[r];
    i_.resize(total);
    j_.resize(total);
    sim_.resize(total);
    for (auto& b : blocks_) {
      for (size_t p = 0; p < b.i.size(); p++) {
        const int64_t at = start[b.i[p] - job_.rowStart]++;
        i_[at] = b.i[p];
        j_[at] = b.j[p];
        sim_[at] = b.sim[p];
      }
      b = BlockPairs();
    }
  }

  facesift::PairJob job_;
  std::vector<BlockPairs> blocks_;
  std::vector<int32_t> i_, j_;
  std::vector<float> sim_;
};

int64_t rangeBound(const Napi::Object& range, const char* key, int64_t fallback, int64_t rows) {
  Napi::Value value = range.Get(key);
  if (value.IsUndefined()) return fallback;
  const double bound = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : -1;
  if (!(bound >= 0 && bound <= static_cast<double>(rows)) || bound != std::floor(bound)) {
    throw Napi::RangeError::New(range.Env(), std::string("range.") + key + " must be an integer from 0 to " + std::to_string(rows));
  }
  return static_cast<int64_t>(bound);
}

// pairsAbove(vectors, dim, labels, crossThreshold, sameThreshold, maxPairs, range?)
// range = { rowStart, rowEnd, colStart, colEnd }, each defaulting to the whole matrix.
Napi::Value PairsAbove(const Napi::CallbackInfo& info) {
  Matrix x = matrixArg(info, 0);
  const int32_t* labels = int32Arg(info, 2, x.rows, "labels");
  const double cross = numberArg(info, 3, "crossThreshold");
  const double same = numberArg(info, 4, "sameThreshold");
  const double maxPairs = numberArg(info, 5, "maxPairs");
  if (x.rows > INT32_MAX) throw Napi::RangeError::New(info.Env(), "too many rows");
  if (std::isnan(cross) || std::isnan(same) || !(maxPairs >= 0)) {
    throw Napi::RangeError::New(info.Env(), "thresholds must be numbers and maxPairs >= 0");
  }
  PairRange range{0, x.rows, 0, x.rows};
  if (info.Length() > 6 && !info[6].IsUndefined()) {
    if (!info[6].IsObject()) throw Napi::TypeError::New(info.Env(), "range must be an object");
    auto object = info[6].As<Napi::Object>();
    range = {rangeBound(object, "rowStart", 0, x.rows), rangeBound(object, "rowEnd", x.rows, x.rows),
             rangeBound(object, "colStart", 0, x.rows), rangeBound(object, "colEnd", x.rows, x.rows)};
    if (range.rowStart > range.rowEnd || range.colStart > range.colEnd) {
      throw Napi::RangeError::New(info.Env(), "range starts must not exceed their ends");
    }
  }
  const int64_t cap = maxPairs >= 9e18 ? INT64_MAX : static_cast<int64_t>(maxPairs);
  auto* worker = new PairsWorker(info, x, labels, static_cast<float>(cross), static_cast<float>(same), cap, range);
  return worker->Start();
}

class NearestCentroidWorker : public PromiseWorker {
 public:
  NearestCentroidWorker(const Napi::CallbackInfo& info, Matrix x, const int32_t* labels, Matrix c)
      : PromiseWorker(info, 4), x_(x), labels_(labels), c_(c), best_(x.rows), sim_(x.rows) {}

 protected:
  void Execute() override {
    kernels_->nearestOtherCentroid(x_.data, x_.rows, x_.dim, labels_, c_.data, static_cast<int32_t>(c_.rows),
                                 best_.data(), sim_.data());
  }
  void OnOK() override {
    Napi::Env env = Env();
    auto result = Napi::Object::New(env);
    result.Set("label", copyToTyped<int32_t, Napi::Int32Array>(env, best_.data(), best_.size()));
    result.Set("sim", copyToTyped<float, Napi::Float32Array>(env, sim_.data(), sim_.size()));
    deferred_.Resolve(result);
  }

 private:
  Matrix x_;
  const int32_t* labels_;
  Matrix c_;
  std::vector<int32_t> best_;
  std::vector<float> sim_;
};

// nearestOtherCentroid(vectors, dim, labels, centroids) — centroids use the same dim.
Napi::Value NearestOtherCentroid(const Napi::CallbackInfo& info) {
  Matrix x = matrixArg(info, 0);
  const int32_t* labels = int32Arg(info, 2, x.rows, "labels");
  if (!info[3].IsTypedArray() || info[3].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(info.Env(), "centroids must be a Float32Array");
  }
  auto centroids = info[3].As<Napi::Float32Array>();
  if (centroids.ElementLength() % x.dim != 0 || centroids.ElementLength() / x.dim > INT32_MAX) {
    throw Napi::RangeError::New(info.Env(), "centroid length is not a multiple of dim");
  }
  Matrix c{centroids.Data(), static_cast<int64_t>(centroids.ElementLength() / x.dim), x.dim};
  return (new NearestCentroidWorker(info, x, labels, c))->Start();
}

class GroupTopMeanWorker : public PromiseWorker {
 public:
  GroupTopMeanWorker(const Napi::CallbackInfo& info, Matrix x, const int32_t* order, const int32_t* offsets,
                     int32_t groups, int32_t k)
      : PromiseWorker(info, 4), x_(x), order_(order), offsets_(offsets), groups_(groups), k_(k), out_(x.rows, NAN) {}

 protected:
  void Execute() override { kernels_->groupTopMean(x_.data, x_.dim, order_, offsets_, groups_, k_, out_.data()); }
  void OnOK() override {
    deferred_.Resolve(copyToTyped<float, Napi::Float32Array>(Env(), out_.data(), out_.size()));
  }

 private:
  Matrix x_;
  const int32_t* order_;
  const int32_t* offsets_;
  int32_t groups_;
  int32_t k_;
  std::vector<float> out_;
};

// groupTopMean(vectors, dim, order, offsets, k): rows order[offsets[g]..offsets[g+1]) form group g.
Napi::Value GroupTopMean(const Napi::CallbackInfo& info) {
  Matrix x = matrixArg(info, 0);
  const int32_t* order = int32Arg(info, 2, -1, "order");
  const int64_t orderLength = info[2].As<Napi::Int32Array>().ElementLength();
  const int32_t* offsets = int32Arg(info, 3, -1, "offsets");
  const int64_t groups = static_cast<int64_t>(info[3].As<Napi::Int32Array>().ElementLength()) - 1;
  const double k = numberArg(info, 4, "k");
  if (groups < 0 || offsets[0] != 0 || offsets[groups] != orderLength || !(k >= 1 && k <= 4096)) {
    throw Napi::RangeError::New(info.Env(), "offsets must run from 0 to order.length, and 1 <= k <= 4096");
  }
  for (int64_t g = 0; g < groups; g++) {
    if (offsets[g + 1] < offsets[g]) throw Napi::RangeError::New(info.Env(), "offsets must not decrease");
  }
  for (int64_t r = 0; r < orderLength; r++) {
    if (order[r] < 0 || order[r] >= x.rows) throw Napi::RangeError::New(info.Env(), "order holds a row out of range");
  }
  return (new GroupTopMeanWorker(info, x, order, offsets, static_cast<int32_t>(groups), static_cast<int32_t>(k)))
      ->Start();
}

// kernels() -> { active, available }: which instruction-set build runs, and which this CPU could run.
Napi::Value Kernels(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto available = Napi::Array::New(env, supported.size());
  for (size_t s = 0; s < supported.size(); s++) available.Set(s, Napi::String::New(env, supported[s].isa));
  auto result = Napi::Object::New(env);
  result.Set("active", Napi::String::New(env, active->isa));
  result.Set("available", available);
  return result;
}

// useKernels(name): run a slower build instead (tests compare them; benchmarks measure them).
Napi::Value UseKernels(const Napi::CallbackInfo& info) {
  const std::string name = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  for (const KernelSet& set : supported) {
    if (name == set.isa) {
      active = &set;
      return info.Env().Undefined();
    }
  }
  throw Napi::Error::New(info.Env(), "kernels '" + name + "' are not available on this CPU");
}

// peakOps(seconds) -> operations per second of the active path's inner loop on registers alone.
Napi::Value PeakOps(const Napi::CallbackInfo& info) {
  const double seconds = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : 0.5;
  return Napi::Number::New(info.Env(), active->peak(seconds > 0 && seconds < 60 ? seconds : 0.5));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("threads", Napi::Number::New(env, omp_get_max_threads()));
  exports.Set("kernels", Napi::Function::New(env, Kernels));
  exports.Set("useKernels", Napi::Function::New(env, UseKernels));
  exports.Set("peakOps", Napi::Function::New(env, PeakOps));
  exports.Set("pairsAbove", Napi::Function::New(env, PairsAbove));
  exports.Set("nearestOtherCentroid", Napi::Function::New(env, NearestOtherCentroid));
  exports.Set("groupTopMean", Napi::Function::New(env, GroupTopMean));
  return exports;
}

}  // namespace

NODE_API_MODULE(NODE_GYP_MODULE_NAME, Init)
