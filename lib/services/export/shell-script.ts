import { baseName } from './names';
import type { Conflict, ConflictVerdict, FixList } from './types';

/**
 * A POSIX sh script that applies the fix list to a dataset root: moves, then deletes (only with
 * FACESIFT_APPLY_DELETES=1; otherwise listed), then merges. It never overwrites (a taken name gets a suffix at
 * run time, as mv -n is not POSIX), skips and reports actions whose source is gone (so a second run is
 * harmless), and lists the conflicts as comments. facesift never runs it itself.
 */
export function toShellScript(fixList: FixList): string {
  const moves = fixList.actions.filter((a) => a.action === 'move');
  const deletes = fixList.actions.filter((a) => a.action === 'delete');
  const merges = fixList.actions.filter((a) => a.action === 'merge');
  const lines = [
    '#!/bin/sh',
    `# facesift fix list, generated ${fixList.generatedAt} from ${comment(fixList.datasetRoot)}:`,
    `# ${moves.length} moves, ${deletes.length} deletes, ${merges.length} merges.`,
    '#',
    '# Usage: sh THIS_SCRIPT [DATASET_ROOT]     (default: the root it was exported from)',
    '#   Deletes duplicates only when FACESIFT_APPLY_DELETES=1 is set; otherwise it lists them.',
    '#   Moves first, then deletes, then merges. Never overwrites: a name already taken gets " (2)", " (3)"...',
    '#   before its extension. Running it again is harmless: an action whose source is gone is skipped.',
    ...(deletes.length && merges.length
      ? ['#   Set FACESIFT_APPLY_DELETES=1 on the first run: afterwards a duplicate in a merged folder is no longer at its path.']
      : []),
    ...conflictComments(fixList.conflicts),
    '',
    'set -eu',
    '',
    `DEFAULT_ROOT=${shellQuote(fixList.datasetRoot)}`,
    'if [ "$#" -gt 1 ]; then',
    '  printf \'usage: sh %s [DATASET_ROOT]\\n\' "$0" >&2',
    '  exit 2',
    'fi',
    'ROOT=${1:-$DEFAULT_ROOT}',
    'if [ ! -d "$ROOT" ]; then',
    '  printf \'facesift: the dataset root is not a directory: %s\\n\' "$ROOT" >&2',
    '  exit 1',
    'fi',
    'printf \'applying the facesift fix list to %s\\n\' "$ROOT"',
    'moved=0 deleted=0 listed=0 merged=0 renamed=0 skipped=0',
    '',
    SHELL_FUNCTIONS,
    '',
    ...moves.map((m) => `fs_move ${[m.path, m.toFolder, baseName(m.targetPath), baseName(m.path)].map(shellQuote).join(' ')}`),
    ...deletes.map((d) => `fs_delete ${shellQuote(d.path)} ${shellQuote(d.duplicateOf)}`),
    ...merges.map((m) => `fs_merge ${shellQuote(m.fromIdentity)} ${shellQuote(m.intoIdentity)}`),
    '',
    `printf '\\nfacesift: moved %s, deleted %s, merged %s (renamed on merge: %s), skipped %s\\n' "$moved" "$deleted" "$merged" "$renamed" "$skipped"`,
    'if [ "$listed" -gt 0 ]; then',
    '  printf \'duplicates listed above, not deleted: %s (set FACESIFT_APPLY_DELETES=1 to delete them)\\n\' "$listed"',
    'fi',
    ...(fixList.conflicts.length
      ? [`printf '%s\\n' ${shellQuote(`conflicts left out: ${fixList.conflicts.length} (see the comments at the top of this script)`)}`]
      : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** Single-quotes for sh: nothing inside single quotes is special (newlines included), except the quote itself. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Text made safe for one comment line: JSON escapes every control character, so a newline in a name cannot end the comment and become code. */
function comment(value: string): string {
  return JSON.stringify(value);
}

function conflictComments(conflicts: Conflict[]): string[] {
  if (!conflicts.length) return [];
  return [
    '#',
    '# Conflicts left out (no action below comes from these verdicts; settle them in facesift and export again):',
    ...conflicts.flatMap((c) => [
      `# - ${c.kind} ${c.subjects.map(comment).join(', ')}: ${comment(c.reason)}`,
      ...c.verdicts.map((v) => `#     ${describeVerdict(v)}`),
    ]),
  ];
}

function describeVerdict(v: ConflictVerdict): string {
  const by = `by ${comment(v.decidedBy)} at ${v.decidedAt}`;
  switch (v.verdict) {
    case 'move':
      return `${v.source} verdict: move ${comment(v.path)} to ${v.toIdentity === null ? 'not_me' : comment(v.toIdentity)}, ${by}`;
    case 'duplicate':
      return `duplicates ${comment(v.a.path)} (${v.a.size} bytes) and ${comment(v.b.path)} (${v.b.size} bytes), keep ${v.keepPath === null ? 'the larger' : comment(v.keepPath)}, ${by}`;
    case 'merge':
      return `same person ${comment(v.a)} and ${comment(v.b)}, merge into ${v.into === null ? 'the larger' : comment(v.into)}, ${by}`;
  }
}

// Variables are global in sh, so recursion in merge_dir must not rely on a variable after its recursive call;
// positional parameters ($1, $2) are the only per-call state.
const SHELL_FUNCTIONS = `exists() { [ -e "$1" ] || [ -L "$1" ]; }

inode() { ls -di -- "$1" | { read -r number rest; printf '%s' "$number"; }; }

# Sets free to $2 when directory $1 has no entry of that name, else to $3 with " (2)", " (3)"... before its extension.
free_name() {
  free=$2
  exists "$1/$free" || return 0
  case $3 in
    ?*.*) stem=\${3%.*} ext=.\${3##*.} ;;
    *) stem=$3 ext= ;;
  esac
  n=2
  while free="$stem ($n)$ext" && exists "$1/$free"; do
    n=$((n + 1))
  done
}

# $1 image, $2 target folder, $3 planned name there, $4 the name to suffix when $3 turns out to be taken.
fs_move() {
  if ! exists "$ROOT/$1"; then
    printf 'skipped move, no longer there: %s\\n' "$1"
    skipped=$((skipped + 1))
    return 0
  fi
  mkdir -p -- "$ROOT/$2"
  free_name "$ROOT/$2" "$3" "$4"
  mv -- "$ROOT/$1" "$ROOT/$2/$free"
  printf 'moved: %s -> %s/%s\\n' "$1" "$2" "$free"
  moved=$((moved + 1))
}

# $1 image to delete, $2 its duplicate that stays: never delete a copy whose twin is missing, and never when
# either is a link or both are one file (a hard link, or a path through a linked folder): the "duplicate" is then
# the copy to keep itself, and deleting it (or, through a link, what it points to) could delete the only copy.
# Checked here, at run time, because the dataset may have changed since the export. The same file is told by
# its inode number (test -ef is not POSIX); two files on different disks with equal numbers are kept, to be safe.
fs_delete() {
  if ! exists "$ROOT/$1"; then
    printf 'skipped delete, no longer there: %s\\n' "$1"
    skipped=$((skipped + 1))
  elif [ ! -f "$ROOT/$2" ]; then
    printf 'skipped delete of %s: the copy to keep is missing: %s\\n' "$1" "$2"
    skipped=$((skipped + 1))
  elif [ -L "$ROOT/$1" ] || [ -L "$ROOT/$2" ]; then
    printf 'skipped delete of %s: it or the copy to keep (%s) is a symbolic link\\n' "$1" "$2"
    skipped=$((skipped + 1))
  elif [ "$(inode "$ROOT/$1")" = "$(inode "$ROOT/$2")" ]; then
    printf 'skipped delete of %s: it is the same file as the copy to keep: %s\\n' "$1" "$2"
    skipped=$((skipped + 1))
  elif [ "\${FACESIFT_APPLY_DELETES:-}" = 1 ]; then
    rm -f -- "$ROOT/$1"
    printf 'deleted: %s (duplicate of %s)\\n' "$1" "$2"
    deleted=$((deleted + 1))
  else
    printf 'would delete: %s (duplicate of %s)\\n' "$1" "$2"
    listed=$((listed + 1))
  fi
}

# Moves every entry of directory $1 into directory $2, a sub-folder into the same-named one (not_me/ joins
# not_me/), then removes $1 if that emptied it. Hidden entries move too, or the folder could never be removed.
merge_dir() {
  mkdir -p -- "$2"
  for entry in "$1"/* "$1"/.[!.]* "$1"/..?*; do
    exists "$entry" || continue
    if [ -d "$entry" ] && [ ! -L "$entry" ] && { [ -d "$2/\${entry##*/}" ] || ! exists "$2/\${entry##*/}"; }; then
      merge_dir "$entry" "$2/\${entry##*/}"
    else
      free_name "$2" "\${entry##*/}" "\${entry##*/}"
      mv -- "$entry" "$2/$free"
      if [ "$free" != "\${entry##*/}" ]; then
        printf 'renamed on merge: %s -> %s/%s\\n' "\${entry#"$ROOT"/}" "\${2#"$ROOT"/}" "$free"
        renamed=$((renamed + 1))
      fi
    fi
  done
  rmdir -- "$1" 2>/dev/null || printf 'kept, not empty: %s\\n' "\${1#"$ROOT"/}"
}

# $1 person folder merged into person folder $2. A symlinked folder is left alone: moving its contents would
# empty the folder it points to, elsewhere.
fs_merge() {
  if [ -L "$ROOT/$1" ] || [ ! -d "$ROOT/$1" ]; then
    printf 'skipped merge of %s into %s: no longer a folder (or a link)\\n' "$1" "$2"
    skipped=$((skipped + 1))
    return 0
  fi
  merge_dir "$ROOT/$1" "$ROOT/$2"
  printf 'merged: %s into %s\\n' "$1" "$2"
  merged=$((merged + 1))
}`;
