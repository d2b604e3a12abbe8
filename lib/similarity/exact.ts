/**
 * The similarity facesift reports for a pair, exactly as the native join computes it
 * (native/src/exact.h): float32 products summed in double in eight interleaved lanes, then rounded
 * to float32. Each product of two float32 values is exact in double, so this is bit-identical to
 * the native result on every instruction set.
 */
export function exactSimilarity(vectors: Float32Array, dim: number, a: number, b: number): number {
  const lanes = [0, 0, 0, 0, 0, 0, 0, 0];
  const ra = a * dim;
  const rb = b * dim;
  for (let k = 0; k < dim; k++) lanes[k & 7] += vectors[ra + k] * vectors[rb + k];
  return Math.fround(lanes[0] + lanes[1] + (lanes[2] + lanes[3]) + (lanes[4] + lanes[5] + (lanes[6] + lanes[7])));
}
