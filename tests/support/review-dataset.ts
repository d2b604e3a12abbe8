import { hash } from 'node:crypto';
import { NextRequest } from 'next/server';
import { getPool } from '@/lib/db';
import { jobsRepository } from '@/lib/repositories/jobs';
import { collectFixListInput } from '@/lib/services/export-fix-list';
import { buildFixList } from '@/lib/services/export';
import { JobProgress } from '@/lib/services/job-progress';
import { runSearch } from '@/lib/services/search';
import { addUser, createApiToken } from '@/lib/services/users';
import { createGaussian, createRng, normalizeInPlace } from '@/lib/similarity/synthetic';
import { GET as reviewNextRoute } from '@/app/api/review/next/route';
import { POST as decidePairRoute } from '@/app/api/pairs/[id]/decision/route';
import { POST as decideIdentityPairRoute } from '@/app/api/identity-pairs/[id]/decision/route';
import { POST as decideOutlierRoute } from '@/app/api/outliers/[id]/decision/route';

/**
 * A seeded dataset of person folders with the mistakes a curator fixes planted in it, written
 * straight into the database as embeddings (no images, no model), and the truth about it.
 */
export interface ReviewDatasetOptions {
  folders: number;
  images: number;
  seed: number;
  /** pairs of people who look alike (centres sharing a direction) */
  lookalikePairs: number;
  splits: number;
  /** of the splits, those whose second folder has a style of its own (another camera, an era) */
  shiftedSplits: number;
  misfiled: number;
  /** of the misfiled images, those taken from a look-alike's folder */
  misfiledFromLookalike: number;
  /** pictures stored more than once with the same bytes (2-3 copies) */
  exactCopies: number;
  /** pictures stored twice, re-encoded (another hash, a nearly equal embedding) */
  nearCopies: number;
}

export const SEED_SCALE: ReviewDatasetOptions = {
  folders: 1291,
  images: 57_637,
  seed: 14,
  lookalikePairs: 80,
  splits: 30,
  shiftedSplits: 10,
  misfiled: 150,
  misfiledFromLookalike: 50,
  exactCopies: 40,
  nearCopies: 40,
};

/** The full-scale proportions (57,637 faces, 1,291 folders) at a quarter of the size, so the walk fits a CI run. */
export const QUARTER_SCALE: ReviewDatasetOptions = {
  folders: 323,
  images: 14_400,
  seed: 3,
  lookalikePairs: 20,
  splits: 8,
  shiftedSplits: 3,
  misfiled: 40,
  misfiledFromLookalike: 14,
  exactCopies: 10,
  nearCopies: 10,
};

interface TruthImage {
  path: string;
  folder: string;
  person: number;
  hash: string;
  /** the picture it is a copy of (its own path for an original) */
  picture: string;
}

export interface ReviewTruth {
  images: Map<string, TruthImage>;
  personOfFolder: Map<string, number>;
  foldersOfPerson: Map<number, string[]>;
  splits: [string, string][];
  misfiled: string[];
  /** picture -> paths of all its copies (originals included) */
  copies: Map<string, string[]>;
  lookalikes: [number, number][];
}

const DIM = 512;

export async function seedReviewDataset(options: ReviewDatasetOptions): Promise<ReviewTruth> {
  const rng = createRng(options.seed);
  const gauss = createGaussian(rng);
  const unit = (out = new Float32Array(DIM)) => {
    for (let k = 0; k < DIM; k++) out[k] = gauss();
    return normalizeInPlace(out);
  };
  const people = options.folders - options.splits;
  const centres = Array.from({ length: people }, () => unit());
  const lookalikes: [number, number][] = [];
  for (let k = 0; k < options.lookalikePairs; k++) {
    const a = 2 * k;
    const b = 2 * k + 1;
    const shared = unit();
    const rho = 0.6 + 0.15 * rng();
    for (const p of [a, b]) {
      const own = centres[p];
      for (let d = 0; d < DIM; d++) own[d] = Math.sqrt(rho) * shared[d] + Math.sqrt(1 - rho) * own[d];
      normalizeInPlace(own);
    }
    lookalikes.push([a, b]);
  }
  const width = String(options.folders).length;
  const folderNames = Array.from({ length: options.folders }, (_, f) => `person_${String(f).padStart(width, '0')}`);
  const folderPerson = Array.from({ length: options.folders }, (_, f) => f);
  const styles = new Map<number, Float32Array>();
  const splits: [string, string][] = [];
  // the second folders: people outside the look-alike pairs, so each split is one finding
  for (let k = 0; k < options.splits; k++) {
    const f = people + k;
    const person = 2 * options.lookalikePairs + 7 * k;
    folderPerson[f] = person;
    folderNames[f] = `${folderNames[person]} (${k % 2 ? 'alt' : '2'})`;
    if (k < options.shiftedSplits) styles.set(f, unit());
    splits.push([folderNames[person], folderNames[f]]);
  }
  const weights = Array.from({ length: options.folders }, () => Math.exp(0.5 * gauss()));
  const total = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.max(4, Math.floor((w / total) * options.images)));
  for (let left = options.images - sizes.reduce((a, b) => a + b, 0), f = 0; left !== 0; f = (f + 1) % options.folders) {
    if (left > 0) (sizes[f]++, left--);
    else if (sizes[f] > 4) (sizes[f]--, left++);
  }

  const vectors = new Float32Array(options.images * DIM);
  const rows: { folder: number; person: number; path: string; hash: string; picture: string }[] = [];
  const noise = new Float32Array(DIM);
  const draw = (row: number, person: number, style?: Float32Array) => {
    const s = rng() < 0.05 ? 0.45 + 0.1 * rng() : 0.62 + 0.15 * rng();
    unit(noise);
    const out = vectors.subarray(row * DIM, (row + 1) * DIM);
    // a style takes a share of each image, of the person and of the noise alike
    const t = style ? 0.3 : 0;
    const own = s * (1 - t);
    for (let d = 0; d < DIM; d++) out[d] = Math.sqrt(own) * centres[person][d] + (style ? Math.sqrt(t) * style[d] : 0) + Math.sqrt(1 - own - t) * noise[d];
    normalizeInPlace(out);
  };
  let row = 0;
  for (let f = 0; f < options.folders; f++) {
    for (let m = 0; m < sizes[f]; m++, row++) {
      const path = `${folderNames[f]}/img_${String(m).padStart(4, '0')}.png`;
      draw(row, folderPerson[f], styles.get(f));
      rows.push({ folder: f, person: folderPerson[f], path, hash: '', picture: path });
    }
  }
  const folderStart: number[] = [];
  for (let f = 0, at = 0; f < options.folders; at += sizes[f], f++) folderStart.push(at);
  const touched = new Set<number>();
  const pickRow = (folder: number) => {
    for (;;) {
      const r = folderStart[folder] + Math.floor(rng() * sizes[folder]);
      if (!touched.has(r)) return r;
    }
  };
  const plainFolder = () => {
    for (;;) {
      const f = 2 * options.lookalikePairs + Math.floor(rng() * (people - 2 * options.lookalikePairs));
      if (!splits.some(([a]) => a === folderNames[f])) return f;
    }
  };

  const misfiled: string[] = [];
  for (let k = 0; k < options.misfiled; k++) {
    const fromLookalike = k < options.misfiledFromLookalike;
    const [folder, person] = fromLookalike ? (([a, b]) => (k % 2 ? [a, b] : [b, a]))(lookalikes[k % lookalikes.length]) : [plainFolder(), plainFolder()];
    if (folder === person) continue;
    const r = pickRow(folder);
    touched.add(r);
    draw(r, person);
    rows[r].person = person;
    misfiled.push(rows[r].path);
  }

  const copies = new Map<string, string[]>();
  const copyOnto = (src: number, dst: number, exact: boolean) => {
    const a = vectors.subarray(src * DIM, (src + 1) * DIM);
    const out = vectors.subarray(dst * DIM, (dst + 1) * DIM);
    unit(noise);
    for (let d = 0; d < DIM; d++) out[d] = exact ? a[d] : a[d] + 0.1 * noise[d];
    normalizeInPlace(out);
    rows[dst].person = rows[src].person;
    rows[dst].picture = rows[src].path;
    if (exact) rows[dst].hash = `exact:${rows[src].path}`;
    copies.set(rows[src].path, [...(copies.get(rows[src].path) ?? [rows[src].path]), rows[dst].path]);
    touched.add(dst);
  };
  for (let k = 0; k < options.exactCopies + options.nearCopies; k++) {
    const folder = plainFolder();
    if (sizes[folder] < 8) continue;
    const src = pickRow(folder);
    touched.add(src);
    const exact = k < options.exactCopies;
    if (exact) rows[src].hash = `exact:${rows[src].path}`;
    copyOnto(src, pickRow(folder), exact);
    if (exact && k % 3 === 0) copyOnto(src, pickRow(folder), exact);
  }
  for (const r of rows) r.hash = hash('sha256', r.hash || `picture:${r.path}`);

  const pool = getPool();
  await pool.query(`INSERT INTO "Setting" (id, "datasetRoot", model, "updatedAt") VALUES (1, '/data/review-bench', 'imported: synthetic', now())`);
  await pool.query(`INSERT INTO "Identity" (id, name) SELECT ordinality, name FROM unnest($1::text[]) WITH ORDINALITY name`, [folderNames]);
  await pool.query(
    `INSERT INTO "Image" (id, "identityId", path, "contentHash", size, status, width, height, "embeddedAt", "updatedAt")
     SELECT ordinality, f, p, h, 20000, 'ok', 112, 112, now(), now() FROM unnest($1::int[], $2::text[], $3::text[]) WITH ORDINALITY AS x(f, p, h)`,
    [rows.map((r) => r.folder + 1), rows.map((r) => r.path), rows.map((r) => r.hash)],
  );
  for (let start = 0; start < rows.length; start += 5000) {
    const end = Math.min(rows.length, start + 5000);
    await pool.query(
      `INSERT INTO "Embedding" ("imageId", model, dim, vector, "contentHash")
       SELECT id, 'imported: synthetic', ${DIM}, decode(v, 'base64'), h FROM unnest($1::int[], $2::text[], $3::text[]) AS x(id, v, h)`,
      [
        Array.from({ length: end - start }, (_, k) => start + k + 1),
        Array.from({ length: end - start }, (_, k) => Buffer.from(vectors.buffer, (start + k) * DIM * 4, DIM * 4).toString('base64')),
        rows.slice(start, end).map((r) => r.hash),
      ],
    );
  }
  await pool.query(`SELECT setval(pg_get_serial_sequence('"Image"', 'id'), $1)`, [rows.length]);
  await pool.query(`SELECT setval(pg_get_serial_sequence('"Identity"', 'id'), $1)`, [options.folders]);

  const images = new Map(rows.map((r) => [r.path, { path: r.path, folder: folderNames[r.folder], person: r.person, hash: r.hash, picture: r.picture }]));
  const personOfFolder = new Map(folderNames.map((name, f) => [name, folderPerson[f]]));
  const foldersOfPerson = new Map<number, string[]>();
  for (const [name, person] of personOfFolder) foldersOfPerson.set(person, [...(foldersOfPerson.get(person) ?? []), name]);
  return { images, personOfFolder, foldersOfPerson, splits, misfiled, copies, lookalikes };
}

export async function searchReviewDataset() {
  const job = await jobsRepository.create('search', {}, null);
  return runSearch({ threshold: 0.4 }, new JobProgress(job.id), () => {});
}

interface FixListCheck {
  /** planted mistakes the fix list fixes */
  fixed: number;
  planted: number;
  actions: number;
  wrong: string[];
}

/** Which planted mistakes the current fix list fixes, and which of its actions are wrong. */
export async function checkFixList(truth: ReviewTruth): Promise<FixListCheck> {
  const list = buildFixList(await collectFixListInput());
  const personOf = (folder: string) => truth.personOfFolder.get(folder);
  const wrong: string[] = [];
  const merged = new Set<string>();
  const moved = new Set<string>();
  const deleted = new Set<string>();
  for (const action of list.actions) {
    if (action.action === 'merge') {
      if (personOf(action.fromIdentity) !== personOf(action.intoIdentity)) wrong.push(`merge ${action.fromIdentity} into ${action.intoIdentity}`);
      merged.add([action.fromIdentity, action.intoIdentity].sort().join('\n'));
    } else if (action.action === 'move') {
      const image = truth.images.get(action.path)!;
      if (action.toIdentity === null || personOf(action.toIdentity) !== image.person) wrong.push(`move ${action.path} to ${action.toIdentity}`);
      moved.add(action.path);
    } else {
      const image = truth.images.get(action.path)!;
      if ((truth.copies.get(image.picture) ?? []).length < 2) wrong.push(`delete ${action.path}`);
      deleted.add(action.path);
    }
  }
  let fixed = 0;
  for (const [a, b] of truth.splits) if (merged.has([a, b].sort().join('\n'))) fixed++;
  for (const path of truth.misfiled) if (moved.has(path)) fixed++;
  for (const paths of truth.copies.values()) if (paths.filter((p) => !deleted.has(p)).length === 1) fixed++;
  for (const paths of truth.copies.values()) if (paths.every((p) => deleted.has(p))) wrong.push(`every copy of ${paths[0]} deleted`);
  return { fixed, planted: truth.splits.length + truth.misfiled.length + truth.copies.size, actions: list.actions.length, wrong };
}

/** Planted look-alike folder pairs the search found pairs between (the ones a curator can be shown). */
export async function visibleLookalikes(truth: ReviewTruth): Promise<number> {
  const { rows } = await getPool().query<{ a: string; b: string }>(
    `SELECT ia.name AS a, ib.name AS b FROM "IdentityPair" ip JOIN "Identity" ia ON ia.id = ip."identityAId" JOIN "Identity" ib ON ib.id = ip."identityBId"`,
  );
  const pairs = new Set(rows.map((r) => [r.a, r.b].sort().join('\n')));
  return truth.lookalikes.filter(([a, b]) => {
    const fa = truth.foldersOfPerson.get(a)![0];
    const fb = truth.foldersOfPerson.get(b)![0];
    return pairs.has([fa, fb].sort().join('\n'));
  }).length;
}

/** Open pairs that involve a planted mistake: a misfiled image, a copy, or two folders of one person. */
export async function openPairsOnMistakes(truth: ReviewTruth): Promise<number> {
  const { rows } = await getPool().query<{ a: string; b: string; fa: string; fb: string }>(
    `SELECT a.path AS a, b.path AS b, ia.name AS fa, ib.name AS fb FROM "CandidatePair" p
       JOIN "Image" a ON a.id = p."imageAId" JOIN "Image" b ON b.id = p."imageBId"
       JOIN "Identity" ia ON ia.id = p."identityAId" JOIN "Identity" ib ON ib.id = p."identityBId" WHERE p.status = 'open'`,
  );
  const misfiled = new Set(truth.misfiled);
  const copied = new Set([...truth.copies.values()].flat());
  return rows.filter(
    (r) => misfiled.has(r.a) || misfiled.has(r.b) || copied.has(r.a) || copied.has(r.b) || truth.personOfFolder.get(r.fa) === truth.personOfFolder.get(r.fb),
  ).length;
}

type Item = Record<string, any>;

/** The verdict a curator who knows the truth gives an item of the queue, as its decision route takes it. */
export function truthfulVerdict(truth: ReviewTruth, type: string, item: Item): Record<string, unknown> {
  const personOfImage = (path: string) => truth.images.get(path)!.person;
  const folderFor = (person: number) => truth.foldersOfPerson.get(person)![0];
  if (type === 'identity_pair') return { verdict: truth.personOfFolder.get(item.a) === truth.personOfFolder.get(item.b) ? 'same' : 'different' };
  if (type === 'outlier') {
    const person = personOfImage(item.path);
    return person === truth.personOfFolder.get(item.identity) ? { verdict: 'fine' } : { verdict: 'mislabeled', toIdentity: folderFor(person) };
  }
  const a = truth.images.get(item.a.path)!;
  const b = truth.images.get(item.b.path)!;
  if (a.picture === b.picture) return { verdict: 'duplicate', keep: a.path === a.picture ? 'a' : b.path === b.picture ? 'b' : 'a' };
  const aMisfiled = a.person !== truth.personOfFolder.get(a.folder);
  const bMisfiled = b.person !== truth.personOfFolder.get(b.folder);
  if (aMisfiled !== bMisfiled) return { verdict: 'mislabeled', side: aMisfiled ? 'a' : 'b' };
  if (a.person === b.person && a.folder !== b.folder && !aMisfiled) return { verdict: 'mislabeled', side: 'merge' };
  return { verdict: 'fine' };
}

const ROUTES = { pair: decidePairRoute, identity_pair: decideIdentityPairRoute, outlier: decideOutlierRoute } as const;
const PATHS = { pair: 'pairs', identity_pair: 'identity-pairs', outlier: 'outliers' } as const;

export interface CuratorReport {
  findingsPlanted: number;
  verdicts: number;
  verdictsUntilFixListComplete: number | null;
  fixList: FixListCheck;
  openPairsOnMistakes: number;
  queueEmpty: boolean;
}

/**
 * Follows GET /api/review/next and answers each item truthfully through the decision routes,
 * until the queue says nothing is left (or `maxVerdicts`).
 */
export async function runScriptedCurator(truth: ReviewTruth, maxVerdicts: number, log: (line: string) => void = () => {}): Promise<CuratorReport> {
  await addUser({ name: 'alice', role: 'curator', password: 'alice-password' });
  const headers = { authorization: `Bearer ${await createApiToken('alice')}` };
  const findingsPlanted = truth.splits.length + truth.misfiled.length + truth.copies.size + (await visibleLookalikes(truth));
  const mistakes = truth.splits.length + truth.misfiled.length + truth.copies.size;
  let verdicts = 0;
  let untilComplete: number | null = null;
  let queueEmpty = false;
  while (verdicts < maxVerdicts) {
    const next = await (await reviewNextRoute(new NextRequest('http://facesift.test/api/review/next', { headers }), { params: Promise.resolve({}) })).json();
    if (next.type === null) {
      queueEmpty = true;
      break;
    }
    const type = next.type as keyof typeof ROUTES;
    const body = truthfulVerdict(truth, type, next.item);
    const response = await ROUTES[type](
      new NextRequest(`http://facesift.test/api/${PATHS[type]}/${next.item.id}/decision`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
      { params: Promise.resolve({ id: String(next.item.id) }) },
    );
    if (response.status !== 200) throw new Error(`${type} ${next.item.id} ${JSON.stringify(body)}: ${response.status} ${await response.text()}`);
    verdicts++;
    if (process.env.REVIEW_TRACE)
      log(
        `${verdicts} ${next.finding.kind} ${type} ${JSON.stringify(body)} ${type === 'pair' ? `${next.item.a.path} ${next.item.b.path} ${next.item.similarity.toFixed(3)}` : type === 'outlier' ? next.item.path : `${next.item.a} ${next.item.b} ${next.item.centroidSimilarity.toFixed(3)}`}`,
      );
    if (untilComplete === null && (verdicts >= mistakes || verdicts % 50 === 0) && (await checkFixList(truth)).fixed === mistakes) untilComplete = verdicts;
    if (verdicts % 100 === 0) log(`${verdicts} verdicts, ${next.remaining} findings open`);
  }
  const fixList = await checkFixList(truth);
  if (untilComplete === null && fixList.fixed === mistakes) untilComplete = verdicts;
  return { findingsPlanted, verdicts, verdictsUntilFixListComplete: untilComplete, fixList, openPairsOnMistakes: await openPairsOnMistakes(truth), queueEmpty };
}

export function printCuratorReport(label: string, report: CuratorReport, print: (line: string) => void = console.log) {
  const per = (n: number | null) => (n === null ? 'never' : `${n} (${(n / report.findingsPlanted).toFixed(2)} per finding)`);
  print(
    [
      `${label}: findings planted ${report.findingsPlanted}, verdicts given ${per(report.verdicts)}${report.queueEmpty ? ', queue empty' : ', queue NOT empty'}`,
      `  verdicts until the fix list held every planted mistake: ${per(report.verdictsUntilFixListComplete)}`,
      `  fix list: ${report.fixList.fixed}/${report.fixList.planted} planted mistakes fixed, ${report.fixList.actions} actions, precision ${(
        (report.fixList.actions - report.fixList.wrong.length) /
        Math.max(1, report.fixList.actions)
      ).toFixed(3)}${report.fixList.wrong.length ? ` (wrong: ${report.fixList.wrong.slice(0, 5).join('; ')})` : ''}`,
      `  open pairs involving a planted mistake: ${report.openPairsOnMistakes}`,
    ].join('\n'),
  );
}
