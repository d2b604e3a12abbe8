import type { EmbeddingSet } from './types';

/**
 * Seeded synthetic face-embedding datasets for tests and benchmarks.
 *
 * Calibrated to the default model's statistics (same-person cosine mean ~0.68, min ~0.38;
 * different-person mean ~0.01, max ~0.26) and seeded with the mistakes facesift looks for, so a
 * threshold of 0.4 yields a realistic number of cross-identity pairs instead of none (independent
 * random centres never reach 0.4 in 512 dimensions) or millions:
 * - look-alike groups: persons whose centres share a direction (family, twins, similar styling);
 * - misfiled images: an image of one person stored in another person's folder;
 * - split persons: one person's images spread over two folders;
 * - near-duplicates: an image stored twice with a tiny perturbation (re-encoded/cropped copies).
 */

/** sfc32: small, fast, good enough for test data, and identical on every platform. */
export function createRng(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88 ^ Math.imul(seed, 0x85ebca6b);
  let c = 0xb7e15162;
  let d = 1 ^ seed;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let k = 0; k < 16; k++) next();
  return next;
}

export function createGaussian(rng: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = 1 - rng();
    const v = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

export function normalizeInPlace(v: Float32Array): Float32Array {
  let s = 0;
  for (let k = 0; k < v.length; k++) s += v[k] * v[k];
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let k = 0; k < v.length; k++) v[k] *= inv;
  return v;
}

export interface SyntheticOptions {
  persons: number;
  images: number;
  dim?: number;
  seed?: number;
  /** Share of persons that belong to a look-alike group (groups of 2-4). */
  lookalikeShare?: number;
  /** Share of images stored in the wrong person's folder. */
  misfiledShare?: number;
  /** Number of persons whose images are split over two folders. */
  splitPersons?: number;
  /** Share of images that get a near-identical copy (half in the same folder, half elsewhere). */
  duplicateShare?: number;
}

export interface SyntheticDataset extends EmbeddingSet {
  /** Folder name of each label. */
  identityNames: string[];
  truth: {
    /** Rows stored in a folder that is not their person's, with the label of the folder they belong to. */
    misfiled: { row: number; trueLabel: number }[];
    /** Folder label pairs holding the same person. */
    splits: [number, number][];
    /** Row pairs that are near-identical copies. */
    duplicates: [number, number][];
  };
}

/**
 * Builds persons' images as normalise(sqrt(s)*centre + sqrt(1-s)*noise): two images of one person
 * then have cosine ~ sqrt(s1*s2), so s ~ 0.68 reproduces the same-person mean and the occasional
 * hard image (s ~ 0.4, a profile or a blurred face) the low tail.
 */
export function generateSyntheticDataset(options: SyntheticOptions): SyntheticDataset {
  const dim = options.dim ?? 512;
  const { persons, images } = options;
  if (persons < 1 || images < persons) throw new Error('need at least one image per person');
  const rng = createRng(options.seed ?? 1);
  const gauss = createGaussian(rng);
  const randomUnit = (out: Float32Array) => {
    for (let k = 0; k < dim; k++) out[k] = gauss();
    return normalizeInPlace(out);
  };

  // Person identities ("people"), some of which look alike; folders are assigned to people below.
  const splitCount = Math.min(options.splitPersons ?? Math.round(persons / 160), Math.floor(persons / 2));
  const people = persons - splitCount;
  const centres = new Float32Array(people * dim);
  const groupDir = new Float32Array(dim);
  const own = new Float32Array(dim);
  const lookalikeShare = options.lookalikeShare ?? 0.3;
  for (let p = 0; p < people;) {
    const grouped = rng() < lookalikeShare;
    const size = grouped ? Math.min(2 + Math.floor(rng() * 3), people - p) : 1;
    if (size > 1) randomUnit(groupDir);
    for (let m = 0; m < size; m++, p++) {
      randomUnit(own);
      const rho = size > 1 ? 0.3 + 0.3 * rng() : 0;
      const centre = centres.subarray(p * dim, (p + 1) * dim);
      for (let k = 0; k < dim; k++) centre[k] = Math.sqrt(rho) * groupDir[k] + Math.sqrt(1 - rho) * own[k];
      normalizeInPlace(centre);
    }
  }

  // Folder -> person: the first `people` folders are people in order, the extra ones are second
  // folders of randomly chosen people (the split persons).
  const folderPerson = new Int32Array(persons);
  const splits: [number, number][] = [];
  for (let f = 0; f < people; f++) folderPerson[f] = f;
  const splitPeople = new Set<number>();
  for (let f = people; f < persons; f++) {
    let p: number;
    do p = Math.floor(rng() * people);
    while (splitPeople.has(p));
    splitPeople.add(p);
    folderPerson[f] = p;
    splits.push([p, f]);
  }

  // Folder sizes: log-normal around the mean, at least one image, summing to `images`.
  const weights = Array.from({ length: persons }, () => Math.exp(0.7 * gauss()));
  const spare = images - persons;
  const total = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => 1 + Math.floor((w / total) * spare));
  for (let left = images - sizes.reduce((a, b) => a + b, 0), f = 0; left > 0; left--, f = (f + 1) % persons) sizes[f]++;

  const vectors = new Float32Array(images * dim);
  const labels = new Int32Array(images);
  const personOfRow = new Int32Array(images);
  const personSpread = Float64Array.from({ length: people }, () => 0.63 + 0.15 * rng());
  const noise = new Float32Array(dim);
  const writeImage = (row: number, person: number) => {
    const s = rng() < 0.05 ? 0.35 + 0.15 * rng() : Math.min(0.9, personSpread[person] + 0.05 * gauss());
    randomUnit(noise);
    const centre = centres.subarray(person * dim, (person + 1) * dim);
    const out = vectors.subarray(row * dim, (row + 1) * dim);
    for (let k = 0; k < dim; k++) out[k] = Math.sqrt(s) * centre[k] + Math.sqrt(1 - s) * noise[k];
    normalizeInPlace(out);
    personOfRow[row] = person;
  };
  let row = 0;
  for (let f = 0; f < persons; f++) {
    for (let m = 0; m < sizes[f]; m++, row++) {
      labels[row] = f;
      writeImage(row, folderPerson[f]);
    }
  }

  // Misfile: overwrite an image with one of another person, leaving it in its folder.
  const misfiled: { row: number; trueLabel: number }[] = [];
  const touched = new Set<number>();
  const misfiledCount = Math.round(images * (options.misfiledShare ?? 0.01));
  // Bounded attempts: tiny datasets may have no folder that can spare an image.
  for (let attempt = 0; misfiled.length < misfiledCount && people > 1 && attempt < 100 * images; attempt++) {
    const r = Math.floor(rng() * images);
    const trueLabel = Math.floor(rng() * people);
    if (touched.has(r) || sizes[labels[r]] < 3 || folderPerson[labels[r]] === trueLabel) continue;
    touched.add(r);
    writeImage(r, trueLabel);
    misfiled.push({ row: r, trueLabel });
  }

  // Near-duplicates: copy a row onto another row with noise small enough to keep cosine > 0.97.
  const duplicates: [number, number][] = [];
  const duplicateCount = Math.round(images * (options.duplicateShare ?? 0.005));
  const folderStart = new Int32Array(persons + 1);
  for (let f = 0; f < persons; f++) folderStart[f + 1] = folderStart[f] + sizes[f];
  for (let attempt = 0; duplicates.length < duplicateCount && attempt < 100 * images; attempt++) {
    const src = Math.floor(rng() * images);
    const sameFolder = duplicates.length % 2 === 0;
    const f = sameFolder ? labels[src] : Math.floor(rng() * persons);
    if (sizes[f] < 2) continue;
    const dst = folderStart[f] + Math.floor(rng() * sizes[f]);
    if (dst === src || touched.has(src) || touched.has(dst)) continue;
    touched.add(src);
    touched.add(dst);
    randomUnit(noise);
    const a = vectors.subarray(src * dim, (src + 1) * dim);
    const out = vectors.subarray(dst * dim, (dst + 1) * dim);
    for (let k = 0; k < dim; k++) out[k] = a[k] + 0.12 * noise[k];
    normalizeInPlace(out);
    personOfRow[dst] = personOfRow[src];
    duplicates.push(src < dst ? [src, dst] : [dst, src]);
    if (labels[dst] !== labels[src] && folderPerson[labels[dst]] !== personOfRow[src]) {
      misfiled.push({ row: dst, trueLabel: folderOfPerson(folderPerson, personOfRow[src]) });
    }
  }

  const width = String(persons).length;
  const identityNames = Array.from({ length: persons }, (_, f) => `person_${String(f).padStart(width, '0')}`);
  return { vectors, dim, labels, identityNames, truth: { misfiled, splits, duplicates } };
}

function folderOfPerson(folderPerson: Int32Array, person: number): number {
  return folderPerson.indexOf(person);
}
