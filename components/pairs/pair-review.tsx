'use client';

import Link from 'next/link';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { DecisionHistory, describeDecision, ResolvedBy } from '@/components/decision-history';
import { HelpOverlay } from '@/components/help-overlay';
import { fileName, imageUrl } from '@/components/image-url';
import { useShortcuts } from '@/components/keys';
import { Similarity } from '@/components/similarity';
import { StatusBadge } from '@/components/status-badge';
import { Thumb } from '@/components/thumb';
import { Button } from '@/components/ui/button';
import { Kbd } from '@/components/ui/kbd';
import { Panel } from '@/components/ui/panel';
import { stripImages, type Bundle, type PairDetail, type Person } from '@/components/pairs/bundle';
import { ReviewSession, type Notice, type Verdict } from '@/components/pairs/review-session';
import { KIND_LABELS, pairsHref, reviewHref, type PairsView } from '@/components/pairs/view';

type Tone = 'rose' | 'violet' | 'emerald';

const VERDICTS: { key: string; label: string; tone: Tone; verdict?: Verdict; crossFolderOnly?: boolean }[] = [
  { key: '1', label: 'A in wrong folder', tone: 'rose', verdict: { verdict: 'mislabeled', side: 'a' }, crossFolderOnly: true },
  { key: '2', label: 'B in wrong folder', tone: 'rose', verdict: { verdict: 'mislabeled', side: 'b' }, crossFolderOnly: true },
  { key: '3', label: 'Same person (merge)', tone: 'rose', verdict: { verdict: 'mislabeled', side: 'merge' }, crossFolderOnly: true },
  { key: '4', label: 'Duplicate…', tone: 'violet' },
  { key: '5', label: 'Fine', tone: 'emerald', verdict: { verdict: 'fine' } },
];

const HELP: [string[], string][] = [
  [['1'], 'A is in the wrong folder'],
  [['2'], 'B is in the wrong folder'],
  [['3'], 'same person: the two folders should be one'],
  [['4', 'a|b'], 'duplicate, then keep A or B'],
  [['5'], 'fine: different people, nothing to fix'],
  [['j', '→'], 'next pair'],
  [['k', '←'], 'previous pair'],
  [['u'], 'undo your last verdict'],
  [['?'], 'this help'],
  [['Esc'], 'close, cancel'],
];

const TONES: Record<Tone, string> = {
  rose: 'border-rose-300 hover:bg-rose-50 dark:border-rose-900 dark:hover:bg-rose-950 aria-pressed:bg-rose-100 dark:aria-pressed:bg-rose-950',
  violet: 'border-violet-300 hover:bg-violet-50 dark:border-violet-900 dark:hover:bg-violet-950 aria-pressed:bg-violet-100 dark:aria-pressed:bg-violet-950',
  emerald:
    'border-emerald-300 hover:bg-emerald-50 dark:border-emerald-900 dark:hover:bg-emerald-950 aria-pressed:bg-emerald-100 dark:aria-pressed:bg-emerald-950',
};

/** The key of the button that matches a pair's latest decision, to show it pressed. */
function decidedKey(pair: PairDetail): string | null {
  const latest = pair.decisions[0];
  if (!latest || latest.verdict !== pair.status) return null;
  if (latest.verdict === 'duplicate') return '4';
  if (latest.verdict === 'fine') return '5';
  return latest.verdict === 'mislabeled' ? (({ a: '1', b: '2', merge: '3' } as Record<string, string>)[latest.side ?? ''] ?? null) : null;
}

export function PairReview({ initial, view, cursor }: { initial: Bundle; view: PairsView; cursor: string }) {
  const [session] = useState(() => new ReviewSession(initial, view, cursor, (id) => window.history.replaceState(null, '', reviewHref(id, view))));
  const snap = useSyncExternalStore(session.subscribe, session.getSnapshot, session.getSnapshot);
  const [askKeep, setAskKeep] = useState(false);
  const [help, setHelp] = useState(false);
  const { bundle } = snap;
  const crossFolder = bundle ? bundle.pair.a.identity !== bundle.pair.b.identity : false;

  useEffect(() => session.warm(), [session]);
  useEffect(() => setAskKeep(false), [snap.pairId]);

  const choose = (key: string) => {
    const option = VERDICTS.find((v) => v.key === key);
    if (!bundle || !option || (option.crossFolderOnly && !crossFolder)) return;
    if (option.verdict) session.decide(option.verdict);
    else setAskKeep(true);
  };
  const keep = (side: 'a' | 'b') => {
    setAskKeep(false);
    session.decide({ verdict: 'duplicate', keep: side });
  };

  const keysReady = useShortcuts((event) => {
    const { key } = event;
    let handled = true;
    if (help) {
      if (key === 'Escape' || key === '?') setHelp(false);
      else handled = false;
    } else if (askKeep && ['a', 'b', '1', '2', 'ArrowLeft', 'ArrowRight', 'Escape'].includes(key)) {
      if (key === 'Escape') setAskKeep(false);
      else keep(['a', '1', 'ArrowLeft'].includes(key) ? 'a' : 'b');
    } else if (/^[1-5]$/.test(key)) {
      // a held key must not decide a row of pairs
      if (!event.repeat) choose(key);
    } else if (key === 'j' || key === 'ArrowRight') void session.next();
    else if (key === 'k' || key === 'ArrowLeft') void session.previous();
    else if (key === 'u') void session.undo();
    else if (key === '?') setHelp(true);
    else if (key === 'Escape') {
      setAskKeep(false);
      session.say(null);
    } else handled = false;
    if (handled) event.preventDefault();
  });

  const pressed = bundle ? decidedKey(bundle.pair) : null;
  return (
    <div className="space-y-3" data-testid="pair-review" data-pair-id={snap.pairId} data-keys={keysReady ? 'ready' : undefined}>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
        <Link href={pairsHref(view)} className="text-sm text-stone-500 hover:text-stone-900 hover:underline dark:hover:text-white">
          ← Pairs
        </Link>
        <h1 className="text-lg font-semibold">Pair {snap.pairId}</h1>
        {bundle && (
          <>
            <span className="text-sm text-stone-500">{KIND_LABELS[bundle.pair.kind]}</span>
            <Similarity value={bundle.pair.similarity} large />
            <span data-testid="pair-status">
              <StatusBadge status={bundle.pair.status} />
            </span>
          </>
        )}
        <div className="ml-auto flex items-center gap-2">
          <span className="mr-2 text-xs text-stone-500" data-testid="save-state" aria-live="polite">
            {snap.saving ? 'Saving…' : 'All verdicts saved'}
          </span>
          <Button onClick={() => void session.previous()} disabled={!snap.hasPrevious} aria-keyshortcuts="k">
            <Kbd>k</Kbd> Previous
          </Button>
          <Button onClick={() => void session.next()} disabled={!snap.hasNext} aria-keyshortcuts="j">
            Next <Kbd>j</Kbd>
          </Button>
          <Button variant="ghost" onClick={() => setHelp(true)} aria-keyshortcuts="?">
            <Kbd>?</Kbd> Shortcuts
          </Button>
        </div>
      </div>

      {snap.notice && <NoticeBanner notice={snap.notice} view={view} onReload={(id) => void session.reload(id)} onDismiss={() => session.say(null)} />}

      {bundle ? (
        <>
          <div className="grid grid-cols-2 gap-4">
            <Side letter="A" pair={bundle.pair} person={bundle.people.a} />
            <Side letter="B" pair={bundle.pair} person={bundle.people.b} />
          </div>

          <div className="flex flex-wrap items-center gap-2 border-t border-stone-200 pt-3 dark:border-stone-800" role="group" aria-label="Verdict">
            {askKeep ? (
              <>
                <span className="mr-1 text-sm font-medium" data-testid="keep-prompt">
                  Duplicate: keep which image?
                </span>
                <VerdictButton keyName="a" tone="violet" onClick={() => keep('a')}>
                  Keep A
                </VerdictButton>
                <VerdictButton keyName="b" tone="violet" onClick={() => keep('b')}>
                  Keep B
                </VerdictButton>
                <Button variant="ghost" onClick={() => setAskKeep(false)}>
                  Cancel <Kbd>Esc</Kbd>
                </Button>
              </>
            ) : (
              VERDICTS.map((option) => (
                <VerdictButton
                  key={option.key}
                  keyName={option.key}
                  tone={option.tone}
                  pressed={pressed === option.key}
                  disabled={option.crossFolderOnly && !crossFolder}
                  title={option.crossFolderOnly && !crossFolder ? 'both images are in the same folder' : undefined}
                  onClick={() => choose(option.key)}
                >
                  {option.label}
                </VerdictButton>
              ))
            )}
            <Button variant="ghost" className="ml-auto" onClick={() => void session.undo()} disabled={!snap.canUndo} aria-keyshortcuts="u">
              <Kbd>u</Kbd> Undo
            </Button>
          </div>

          <Panel className="p-4">
            <h2 className="mb-2 text-sm font-semibold text-stone-600 dark:text-stone-300">History of this pair</h2>
            <ResolvedBy resolved={bundle.pair.resolvedBy} />
            <DecisionHistory decisions={bundle.pair.decisions} />
          </Panel>
        </>
      ) : snap.loadError ? (
        <p role="alert" className="rounded-md bg-rose-50 px-4 py-3 text-sm text-rose-900 dark:bg-rose-950 dark:text-rose-200">
          Pair {snap.pairId} could not be loaded: {snap.loadError}. <Kbd>j</Kbd> goes on to the next.
        </p>
      ) : (
        <div className="grid grid-cols-2 gap-4" aria-busy="true">
          <div className="h-[44vh] animate-pulse rounded-lg bg-stone-200 dark:bg-stone-800" />
          <div className="h-[44vh] animate-pulse rounded-lg bg-stone-200 dark:bg-stone-800" />
        </div>
      )}

      {help && <HelpOverlay keys={HELP} onClose={() => setHelp(false)} />}
    </div>
  );
}

function VerdictButton({
  keyName,
  tone,
  pressed,
  children,
  ...props
}: { keyName: string; tone: Tone; pressed?: boolean; children: React.ReactNode } & Omit<React.ButtonHTMLAttributes<HTMLButtonElement>, 'children'>) {
  return (
    <button
      type="button"
      aria-keyshortcuts={keyName}
      aria-pressed={pressed}
      className={`inline-flex items-center gap-2 rounded-md border bg-white px-3 py-1.5 text-sm font-medium disabled:cursor-not-allowed disabled:opacity-40 dark:bg-stone-900 ${TONES[tone]}`}
      {...props}
    >
      <Kbd>{keyName}</Kbd>
      {children}
    </button>
  );
}

function Side({ letter, pair, person }: { letter: 'A' | 'B'; pair: PairDetail; person: Person }) {
  const side = letter === 'A' ? pair.a : pair.b;
  const [size, setSize] = useState<{ id: number; text: string } | null>(null);
  const measure = (image: HTMLImageElement | null) => {
    if (image?.complete && image.naturalWidth && size?.id !== side.imageId)
      setSize({ id: side.imageId, text: `${image.naturalWidth} × ${image.naturalHeight}` });
  };
  const strip = stripImages(person, pair);
  const others = Math.max(0, person.imageCount - [pair.a, pair.b].filter((image) => image.identity === person.name).length);
  return (
    <figure className="min-w-0 space-y-2" data-testid={`side-${letter.toLowerCase()}`}>
      <div className="relative flex h-[44vh] min-h-52 items-center justify-center overflow-hidden rounded-lg bg-stone-200 dark:bg-stone-800">
        {/* full size, scaled to fit: proportions kept, never cropped */}
        <img
          key={side.imageId}
          ref={measure}
          onLoad={(event) => measure(event.currentTarget)}
          src={imageUrl(side.imageId, 'full', side.hash)}
          alt={`${letter}: ${side.path}`}
          className="h-full w-full object-contain"
        />
        <span className="absolute top-2 left-2 rounded bg-white/90 px-2 py-0.5 text-sm font-semibold shadow-sm dark:bg-stone-900/90">{letter}</span>
      </div>
      <figcaption className="flex items-baseline justify-between gap-3 text-sm">
        <span className="min-w-0 truncate">
          <Link href={`/identities/${person.id}`} className="font-semibold hover:underline" data-testid={`person-${letter.toLowerCase()}`}>
            {person.name}
          </Link>
          <span className="text-stone-400"> / </span>
          <span title={side.path}>{fileName(side.path)}</span>
        </span>
        <span className="shrink-0 text-stone-500 tabular-nums">{size?.id === side.imageId ? size.text : ''}</span>
      </figcaption>
      <div>
        <div className="mb-1 text-xs text-stone-500">
          {others === 0 ? `No other images of ${person.name}` : `Other images of ${person.name} (${others.toLocaleString('en')})`}
        </div>
        <div className="flex gap-1.5 overflow-hidden">
          {strip.map((image) => (
            <Thumb key={image.id} image={image} className={image.outlier?.flagged ? 'ring-2 ring-amber-400' : ''} />
          ))}
          {others > strip.length && (
            <Link
              href={`/identities/${person.id}`}
              className="flex size-12 shrink-0 items-center justify-center rounded bg-stone-100 text-xs text-stone-500 hover:underline dark:bg-stone-800"
            >
              all →
            </Link>
          )}
        </div>
      </div>
    </figure>
  );
}

function NoticeBanner({ notice, view, onReload, onDismiss }: { notice: Notice; view: PairsView; onReload: (id: number) => void; onDismiss: () => void }) {
  const styles = {
    conflict: 'bg-amber-50 text-amber-950 ring-amber-300 dark:bg-amber-950 dark:text-amber-100 dark:ring-amber-800',
    error: 'bg-rose-50 text-rose-950 ring-rose-300 dark:bg-rose-950 dark:text-rose-100 dark:ring-rose-800',
    info: 'bg-sky-50 text-sky-950 ring-sky-200 dark:bg-sky-950 dark:text-sky-100 dark:ring-sky-900',
  };
  const current = notice.current;
  return (
    <div
      role="alert"
      className={`flex flex-wrap items-center gap-3 rounded-md px-4 py-2.5 text-sm ring-1 ${styles[notice.kind]}`}
      data-testid={`notice-${notice.kind}`}
    >
      <span className="min-w-0 flex-1">
        {notice.kind === 'conflict' && current ? (
          <>
            <strong>Conflict on pair {notice.pairId}:</strong> {current.decidedBy} decided it first ({describeDecision(current)}, at{' '}
            {new Date(current.decidedAt).toLocaleTimeString('en-GB')}). Your verdict was not saved.
          </>
        ) : (
          notice.message
        )}
      </span>
      {notice.pairId !== undefined && notice.kind !== 'info' && (
        <Button onClick={() => onReload(notice.pairId!)}>Show pair {notice.pairId} as it is now</Button>
      )}
      {notice.kind === 'info' && (
        <Link href={pairsHref(view)} className="underline">
          Back to the list
        </Link>
      )}
      <Button variant="ghost" onClick={onDismiss} aria-label="Dismiss">
        ✕
      </Button>
    </div>
  );
}
