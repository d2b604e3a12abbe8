import type { DecidedDuplicate, DecidedMerge, DecidedMove, FixListInput } from '@/lib/services/export';

export const at = (day: number) => new Date(Date.UTC(2026, 0, day));

export function move(path: string, toIdentity: string | null, extra: Partial<DecidedMove> = {}): DecidedMove {
  return {
    path,
    fromIdentity: path.slice(0, path.indexOf('/')),
    toIdentity,
    source: toIdentity === null ? 'outlier' : 'pair',
    decidedBy: 'alice',
    decidedAt: at(1),
    ...extra,
  };
}

export function duplicate(
  a: [path: string, size: number],
  b: [path: string, size: number],
  keepPath: string | null = null,
  extra: Partial<DecidedDuplicate> = {},
): DecidedDuplicate {
  return { a: { path: a[0], size: a[1] }, b: { path: b[0], size: b[1] }, keepPath, decidedBy: 'bob', decidedAt: at(2), ...extra };
}

export function merge(a: string, b: string, into: string | null = null, extra: Partial<DecidedMerge> = {}): DecidedMerge {
  return { a, b, into, decidedBy: 'carol', decidedAt: at(3), ...extra };
}

export function fixListInput(parts: Partial<FixListInput> = {}): FixListInput {
  return {
    datasetRoot: '/data/faces',
    generatedAt: new Date('2026-12-01T09:00:00Z'),
    moves: [],
    duplicates: [],
    merges: [],
    imageCounts: {},
    filesByIdentity: {},
    ...parts,
  };
}
