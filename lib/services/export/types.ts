/**
 * The fix list: curator verdicts turned into actions to apply to a one-folder-per-person dataset.
 * Paths are relative to the dataset root, '/'-separated, NFC (`<person>/<file>`); identities are person folder names.
 */

export interface Decided {
  decidedBy: string;
  decidedAt: Date;
}

/** A misfiled image: from a pair verdict (to the other image's person) or an outlier verdict (to the chosen person, or null = "someone else": the folder's not_me/). */
export interface DecidedMove extends Decided {
  path: string;
  fromIdentity: string;
  toIdentity: string | null;
  source: 'pair' | 'outlier';
}

/** A duplicate pair; keepPath is the curator's choice, else keep the larger file (ties: the path first in UTF-8 byte order). */
export interface DecidedDuplicate extends Decided {
  a: { path: string; size: number };
  b: { path: string; size: number };
  keepPath: string | null;
  /** Why the two are one file on disk (a link, a hard link), found at export: then nothing may be deleted. */
  sameFile?: string | null;
}

/** Two person folders that are the same person; into = the folder chosen, else the smaller (fewer images) into the larger (ties: into the name first in byte order). */
export interface DecidedMerge extends Decided {
  a: string;
  b: string;
  into: string | null;
}

export interface FixListInput {
  datasetRoot: string;
  generatedAt: Date;
  moves: DecidedMove[];
  duplicates: DecidedDuplicate[];
  merges: DecidedMerge[];
  /** current image counts per person folder (for "smaller into larger") */
  imageCounts: Record<string, number>;
  /**
   * current file names (basenames) per person folder, to resolve name clashes in moves and merges.
   * A key may also be a helper folder such as `amy/not_me` when its contents are known; folders missing here
   * are taken as empty, and the sh script still checks every name on disk before moving.
   */
  filesByIdentity: Record<string, string[]>;
}

export interface OpenCrossPair {
  aPath: string;
  bPath: string;
  similarity: number;
}

export interface MoveAction {
  action: 'move';
  path: string;
  fromIdentity: string;
  /** null: someone else, not known who; the image goes to `<fromIdentity>/not_me` (see toFolder). */
  toIdentity: string | null;
  /** The folder the image goes into: toIdentity, or `<fromIdentity>/not_me` when toIdentity is null. */
  toFolder: string;
  /** toFolder + file name; the name gets a ` (2)`, ` (3)`... suffix before its extension when already taken there. */
  targetPath: string;
  source: 'pair' | 'outlier';
  decidedBy: string;
  decidedAt: string;
}

export interface DeleteAction {
  action: 'delete';
  path: string;
  /** The copy that stays. */
  duplicateOf: string;
  decidedBy: string;
  decidedAt: string;
}

export interface MergeAction {
  action: 'merge';
  /** Every file of this folder (and of its helper sub-folders, into the same-named ones) goes into intoIdentity. */
  fromIdentity: string;
  /** The final folder: a chain of merges (a into b, b into c) is resolved to c. */
  intoIdentity: string;
  /** The folders the chain went through, in order; empty for a direct merge. */
  via: string[];
  /** The verdict on fromIdentity's own merge (the first link of the chain). */
  decidedBy: string;
  decidedAt: string;
}

export type Action = MoveAction | DeleteAction | MergeAction;

/** A verdict as it was given (decidedAt as an ISO string), so a curator can find and revise it. */
export type ConflictVerdict =
  | ({ verdict: 'move' } & Omit<DecidedMove, 'decidedAt'> & { decidedAt: string })
  | ({ verdict: 'duplicate' } & Omit<DecidedDuplicate, 'decidedAt'> & { decidedAt: string })
  | ({ verdict: 'merge' } & Omit<DecidedMerge, 'decidedAt'> & { decidedAt: string });

export interface Conflict {
  /**
   * image: verdicts that disagree on what happens to an image; merge: merges in opposite directions, into two
   * folders, or in a cycle; invalid: a verdict that cannot be applied at all (bad path or name).
   */
  kind: 'image' | 'merge' | 'invalid';
  /** The images (kind image) or person folders (kind merge) in dispute; for invalid, the offending path or name. */
  subjects: string[];
  reason: string;
  /** Every verdict left out because of this conflict; none of them became an action. */
  verdicts: ConflictVerdict[];
}

export interface FixList {
  generatedAt: string;
  datasetRoot: string;
  /** Moves first, then deletes, then merges, each group sorted by path or folder name (UTF-8 byte order). */
  actions: Action[];
  conflicts: Conflict[];
}
