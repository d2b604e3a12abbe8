import { baseName, compareBytes, foldName, imagePathProblem, nameProblem, NOT_ME_FOLDER, suffixedName } from './names';
import type {
  Action,
  Conflict,
  ConflictVerdict,
  DecidedDuplicate,
  DecidedMerge,
  DecidedMove,
  DeleteAction,
  FixList,
  FixListInput,
  MergeAction,
  MoveAction,
} from './types';

/**
 * Turns verdicts into the actions that apply them: moves, then deletes, then merges.
 *
 * Verdicts that disagree about an image are all left out and reported as one conflict: applying either side
 * could lose an image or file it wrongly, and a curator can settle it in a minute. Several verdicts with the
 * same effect (two curators moving an image to the same person) are one action, credited to the earliest.
 */
export function buildFixList(input: FixListInput): FixList {
  const conflicts: Conflict[] = [];
  const invalid = (subject: string, reason: string, verdict: ConflictVerdict) => conflicts.push(invalidVerdict([subject], reason, verdict));

  const imageVerdicts: ImageVerdict[] = [];
  input.moves.forEach((move, index) => {
    const view = viewOf('move', move);
    const problem =
      nameProblem(move.fromIdentity) ?? imagePathProblem(move.path, move.fromIdentity) ?? (move.toIdentity === null ? null : nameProblem(move.toIdentity));
    if (problem) return invalid(move.path, `cannot move: ${problem}`, view);
    if (move.toIdentity === move.fromIdentity) return invalid(move.path, `moves the image into the folder it is in`, view);
    const toFolder = move.toIdentity ?? `${move.fromIdentity}/${NOT_ME_FOLDER}`;
    imageVerdicts.push({ index, decided: move, view, move, claims: [{ path: move.path, claim: { kind: 'move', toFolder } }] });
  });
  input.duplicates.forEach((dup, index) => {
    const view = viewOf('duplicate', dup);
    const problem = imagePathProblem(dup.a.path) ?? imagePathProblem(dup.b.path);
    if (problem) return invalid(dup.a.path, `cannot delete a duplicate: ${problem}`, view);
    if (dup.a.path === dup.b.path) return invalid(dup.a.path, 'a duplicate of itself', view);
    if (dup.sameFile) return invalid(dup.a.path, `cannot delete a duplicate: ${dup.sameFile}`, view);
    if (dup.keepPath !== null && dup.keepPath !== dup.a.path && dup.keepPath !== dup.b.path) {
      return invalid(dup.keepPath, 'the image to keep is neither of the pair', view);
    }
    const keep = dup.keepPath ?? keepByDefault(dup);
    const drop = keep === dup.a.path ? dup.b.path : dup.a.path;
    imageVerdicts.push({
      index: input.moves.length + index,
      decided: dup,
      view,
      claims: [
        { path: keep, claim: { kind: 'keep' } },
        { path: drop, claim: { kind: 'delete', duplicateOf: keep } },
      ],
    });
  });
  imageVerdicts.sort(byDecision);

  const dropped = reportImageConflicts(imageVerdicts, conflicts);
  const moves = new Map<string, { move: DecidedMove; toFolder: string }>();
  const deletes = new Map<string, DeleteAction>();
  for (const verdict of imageVerdicts) {
    if (dropped.has(verdict)) continue;
    for (const { path, claim } of verdict.claims) {
      // The earliest verdict is met first (sorted above), so it is the one credited.
      if (claim.kind === 'move' && !moves.has(path)) moves.set(path, { move: verdict.move!, toFolder: claim.toFolder });
      if (claim.kind === 'delete' && !deletes.has(path)) {
        deletes.set(path, { action: 'delete', path, duplicateOf: claim.duplicateOf, ...decision(verdict.decided) });
      }
    }
  }

  const place = targetPlanner(input.filesByIdentity);
  const actions: Action[] = [
    ...[...moves.values()]
      .sort((x, y) => compareBytes(x.move.path, y.move.path))
      .map(({ move, toFolder }) => moveAction(move, toFolder, place(toFolder, baseName(move.path)))),
    ...[...deletes.values()].sort((x, y) => compareBytes(x.path, y.path)),
    ...resolveMerges(input, conflicts),
  ];
  return { generatedAt: input.generatedAt.toISOString(), datasetRoot: input.datasetRoot, actions, conflicts };
}

type Claim = { kind: 'move'; toFolder: string } | { kind: 'delete'; duplicateOf: string } | { kind: 'keep' };

interface ImageVerdict {
  /** Position in the input, for a stable order among verdicts decided at the same moment. */
  index: number;
  decided: DecidedMove | DecidedDuplicate;
  view: ConflictVerdict;
  move?: DecidedMove;
  claims: { path: string; claim: Claim }[];
}

function viewOf(verdict: 'move', decided: DecidedMove): ConflictVerdict;
function viewOf(verdict: 'duplicate', decided: DecidedDuplicate): ConflictVerdict;
function viewOf(verdict: 'merge', decided: DecidedMerge): ConflictVerdict;
function viewOf(verdict: ConflictVerdict['verdict'], decided: DecidedMove | DecidedDuplicate | DecidedMerge): ConflictVerdict {
  return { verdict, ...decided, decidedAt: decided.decidedAt.toISOString() } as ConflictVerdict;
}

function invalidVerdict(subjects: string[], reason: string, verdict: ConflictVerdict): Conflict {
  return { kind: 'invalid', subjects, reason, verdicts: [verdict] };
}

function decision(decided: DecidedMove | DecidedDuplicate | DecidedMerge) {
  return { decidedBy: decided.decidedBy, decidedAt: decided.decidedAt.toISOString() };
}

function byDecision(x: { index: number; decided: DecidedMove | DecidedDuplicate | DecidedMerge }, y: typeof x): number {
  return x.decided.decidedAt.getTime() - y.decided.decidedAt.getTime() || compareBytes(x.decided.decidedBy, y.decided.decidedBy) || x.index - y.index;
}

function keepByDefault({ a, b }: DecidedDuplicate): string {
  if (a.size !== b.size) return a.size > b.size ? a.path : b.path;
  return compareBytes(a.path, b.path) <= 0 ? a.path : b.path;
}

function moveAction(move: DecidedMove, toFolder: string, targetPath: string): MoveAction {
  return {
    action: 'move',
    path: move.path,
    fromIdentity: move.fromIdentity,
    toIdentity: move.toIdentity,
    toFolder,
    targetPath,
    source: move.source,
    ...decision(move),
  };
}

function sameEffect(x: Claim, y: Claim): boolean {
  if (x.kind !== y.kind) return false;
  // Two deletes of one image agree even when they keep different copies: either way the image goes.
  return x.kind !== 'move' || x.toFolder === (y as typeof x).toFolder;
}

function describeClaim(claim: Claim): string {
  switch (claim.kind) {
    case 'move':
      return `moved to ${claim.toFolder}`;
    case 'delete':
      return `deleted as a duplicate of ${claim.duplicateOf}`;
    case 'keep':
      return 'kept as the original of a duplicate';
  }
}

/** Reports every image whose verdicts disagree; returns the verdicts to leave out (all that touch such an image). */
function reportImageConflicts(verdicts: ImageVerdict[], conflicts: Conflict[]): Set<ImageVerdict> {
  const byPath = new Map<string, { verdict: ImageVerdict; claim: Claim }[]>();
  for (const verdict of verdicts) {
    for (const { path, claim } of verdict.claims) {
      const list = byPath.get(path) ?? [];
      list.push({ verdict, claim });
      byPath.set(path, list);
    }
  }
  // Images disputed by exactly the same verdicts (two curators keeping opposite sides of one pair) are one conflict.
  const groups = new Map<string, { subjects: string[]; reasons: string[]; verdicts: ImageVerdict[] }>();
  for (const path of [...byPath.keys()].sort(compareBytes)) {
    const claims = byPath.get(path)!;
    if (claims.every(({ claim }) => sameEffect(claim, claims[0].claim))) continue;
    const involved = [...new Set(claims.map((c) => c.verdict))];
    const key = involved.map((v) => v.index).join(',');
    const group = groups.get(key) ?? { subjects: [], reasons: [], verdicts: involved };
    group.subjects.push(path);
    group.reasons.push([...new Set(claims.map(({ claim }) => describeClaim(claim)))].join(' vs '));
    groups.set(key, group);
  }
  const dropped = new Set<ImageVerdict>();
  for (const { subjects, reasons, verdicts: involved } of groups.values()) {
    const reason = subjects.length === 1 ? reasons[0] : subjects.map((s, i) => `${s}: ${reasons[i]}`).join('; ');
    conflicts.push({ kind: 'image', subjects, reason, verdicts: involved.map((v) => v.view) });
    for (const verdict of involved) dropped.add(verdict);
  }
  return dropped;
}

/**
 * Gives each move, in list order, a target path whose name is not taken in its folder, suffixing it when it is.
 * A name stays taken even when its file moves away: the sh script moves in list order, and a file that leaves
 * later still holds its name when the incoming one arrives, so only this rule plans names the script can use.
 */
function targetPlanner(filesByFolder: Record<string, string[]>): (folder: string, name: string) => string {
  const taken = new Map<string, Set<string>>();
  return (folder, name) => {
    let names = taken.get(folder);
    if (!names) {
      names = new Set((Object.hasOwn(filesByFolder, folder) ? filesByFolder[folder] : []).map(foldName));
      taken.set(folder, names);
    }
    let target = name;
    for (let n = 2; names.has(foldName(target)); n++) target = suffixedName(name, n);
    names.add(foldName(target));
    return `${folder}/${target}`;
  };
}

interface MergeVerdict {
  index: number;
  decided: DecidedMerge;
  view: ConflictVerdict;
}

interface MergeEdge {
  from: string;
  into: string;
  /** All verdicts on this pair of folders, for conflict reports. */
  verdicts: MergeVerdict[];
  /** The earliest verdict that agrees with the direction taken. */
  credited: MergeVerdict;
}

/**
 * One merge per folder into its final folder. A folder chosen by a curator wins over the default direction of
 * another verdict on the same pair (a default is no choice); opposite choices, a folder merged into two
 * different folders, and cycles are conflicts, and their merges are left out.
 */
function resolveMerges(input: FixListInput, conflicts: Conflict[]): MergeAction[] {
  const byPair = new Map<string, MergeVerdict[]>();
  input.merges.forEach((decided, index) => {
    const view = viewOf('merge', decided);
    const problem = nameProblem(decided.a) ?? nameProblem(decided.b);
    if (problem) return conflicts.push(invalidVerdict([decided.a, decided.b], `cannot merge: ${problem}`, view));
    if (decided.a === decided.b) return conflicts.push(invalidVerdict([decided.a], 'a folder merged with itself', view));
    if (decided.into !== null && decided.into !== decided.a && decided.into !== decided.b) {
      return conflicts.push(invalidVerdict([decided.into], 'the folder merged into is neither of the pair', view));
    }
    const key = [decided.a, decided.b].sort(compareBytes).join('/');
    byPair.set(key, [...(byPair.get(key) ?? []), { index, decided, view }]);
  });

  const outgoing = new Map<string, MergeEdge[]>();
  for (const key of [...byPair.keys()].sort(compareBytes)) {
    const verdicts = byPair.get(key)!.sort(byDecision);
    const chosen = verdicts.filter((v) => v.decided.into !== null);
    const intos = [...new Set(chosen.map((v) => v.decided.into!))].sort(compareBytes);
    if (intos.length > 1) {
      conflicts.push({ kind: 'merge', subjects: intos, reason: 'merged in opposite directions', verdicts: verdicts.map((v) => v.view) });
      continue;
    }
    const { a, b } = verdicts[0].decided;
    const into = intos[0] ?? intoByDefault(a, b, input.imageCounts);
    const from = into === a ? b : a;
    outgoing.set(from, [...(outgoing.get(from) ?? []), { from, into, verdicts, credited: chosen[0] ?? verdicts[0] }]);
  }

  const next = new Map<string, MergeEdge>();
  for (const [from, edges] of outgoing) {
    if (edges.length === 1) {
      next.set(from, edges[0]);
      continue;
    }
    const intos = edges.map((e) => e.into).sort(compareBytes);
    conflicts.push({
      kind: 'merge',
      subjects: [from, ...intos],
      reason: `${from} merged into more than one folder: ${intos.join(', ')}`,
      verdicts: edges.flatMap((e) => e.verdicts.map((v) => v.view)),
    });
  }

  // Every folder has at most one merge left, so following them from any folder ends at a final folder or in a cycle.
  const state = new Map<string, 'walking' | 'done'>();
  const cycles: string[][] = [];
  for (const start of [...next.keys()].sort(compareBytes)) {
    const walked: string[] = [];
    let node: string | undefined = start;
    while (node !== undefined && !state.has(node) && next.has(node)) {
      state.set(node, 'walking');
      walked.push(node);
      node = next.get(node)!.into;
    }
    if (node !== undefined && state.get(node) === 'walking') cycles.push(walked.slice(walked.indexOf(node)));
    for (const folder of walked) state.set(folder, 'done');
  }
  for (const cycle of cycles) {
    conflicts.push({
      kind: 'merge',
      subjects: cycle,
      reason: `merges form a cycle: ${[...cycle, cycle[0]].join(' → ')}`,
      verdicts: cycle.flatMap((folder) => next.get(folder)!.verdicts.map((v) => v.view)),
    });
    for (const folder of cycle) next.delete(folder);
  }

  return [...next.values()]
    .map((edge): MergeAction => {
      const via: string[] = [];
      let into = edge.into;
      for (let link = next.get(into); link; link = next.get(into)) {
        via.push(into);
        into = link.into;
      }
      return { action: 'merge', fromIdentity: edge.from, intoIdentity: into, via, ...decision(edge.credited.decided) };
    })
    .sort((x, y) => compareBytes(x.fromIdentity, y.fromIdentity));
}

function intoByDefault(a: string, b: string, imageCounts: Record<string, number>): string {
  // hasOwn: a person folder may be called "constructor".
  const ca = Object.hasOwn(imageCounts, a) ? imageCounts[a] : 0;
  const cb = Object.hasOwn(imageCounts, b) ? imageCounts[b] : 0;
  if (ca !== cb) return ca > cb ? a : b;
  return compareBytes(a, b) <= 0 ? a : b;
}
