'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import { REMAINING_CAP, type ReviewEntry, type ReviewNext, type ReviewPreview } from '@/lib/schemas/review';
import { announceDecision, api, ApiError } from '@/components/api';
import { describeDecision, type PublicDecision } from '@/components/decision-history';
import { HelpOverlay } from '@/components/help-overlay';
import { fileName, imageUrl } from '@/components/image-url';
import { useShortcuts } from '@/components/keys';
import { Similarity } from '@/components/similarity';
import { Thumb, type ThumbImage } from '@/components/thumb';
import { Kbd } from '@/components/ui/kbd';
import { Panel } from '@/components/ui/panel';

interface Option {
  key: string;
  label: string;
  /** the body its decision route takes; none: a question follows (which copy to keep) */
  body?: Record<string, unknown>;
}

const ROUTES = { pair: 'pairs', identity_pair: 'identity-pairs', outlier: 'outliers' } as const;

const FINDING_LABELS: Record<string, string> = {
  split: 'One person in two folders?',
  misfiled: 'An image in the wrong folder?',
  duplicate: 'Copies of one picture?',
  standout: 'A pair that stands out between two people',
  lookalike: 'Two people who look alike',
};

/** The verdicts of an entry under the keys today's pages use for them. */
function optionsOf(entry: ReviewEntry): Option[] {
  if (entry.type === 'pair') {
    const crossFolder = entry.item.a.identity !== entry.item.b.identity;
    return [
      ...(crossFolder
        ? [
            { key: '1', label: 'A in wrong folder', body: { verdict: 'mislabeled', side: 'a' } },
            { key: '2', label: 'B in wrong folder', body: { verdict: 'mislabeled', side: 'b' } },
            { key: '3', label: 'Same person (merge)', body: { verdict: 'mislabeled', side: 'merge' } },
          ]
        : []),
      { key: '4', label: 'Duplicate…' },
      { key: '5', label: 'Fine', body: { verdict: 'fine' } },
    ];
  }
  if (entry.type === 'identity_pair') {
    return [
      { key: '1', label: `Same person, keep “${entry.item.a}”`, body: { verdict: 'same', into: 'a' } },
      { key: '2', label: `Same person, keep “${entry.item.b}”`, body: { verdict: 'same', into: 'b' } },
      { key: '3', label: 'Different persons', body: { verdict: 'different' } },
    ];
  }
  const belongsTo = (entry.finding.detail.belongsTo as string | null | undefined) ?? entry.item.nearestIdentity;
  return [
    ...(belongsTo ? [{ key: '1', label: `Belongs to ${belongsTo}`, body: { verdict: 'mislabeled', toIdentity: belongsTo } }] : []),
    { key: '2', label: 'Someone else (not_me)', body: { verdict: 'mislabeled', toIdentity: null } },
    { key: '5', label: 'Fine, it belongs here', body: { verdict: 'fine' } },
  ];
}

const HELP: [string[], string][] = [
  [['1', '2', '3'], 'pairs: A / B in the wrong folder, same person; people: same (keep A / B), different; images: belongs to the folder shown'],
  [['4', 'a|b'], 'pairs: duplicate, then keep A or B'],
  [['5'], 'fine: nothing to fix'],
  [['u'], 'undo your last verdict'],
  [['?'], 'this help'],
  [['Esc'], 'close, cancel'],
];

/** The folders an entry is about, for their context strips. */
function foldersOf(entry: ReviewEntry): string[] {
  if (entry.type === 'pair') return [...new Set([entry.item.a.identity, entry.item.b.identity])];
  if (entry.type === 'identity_pair') return [entry.item.a, entry.item.b];
  return [entry.item.identity, ...(entry.item.nearestIdentity ? [entry.item.nearestIdentity] : [])];
}

/** Fetches the images an entry shows before it is shown, so the next verdict never waits for them. */
function preload(entry: ReviewEntry | null) {
  if (!entry) return;
  if (entry.type === 'pair') for (const side of [entry.item.a, entry.item.b]) new Image().src = imageUrl(side.imageId, 'full', side.hash);
  if (entry.type === 'outlier') new Image().src = imageUrl(entry.item.imageId, 'full');
}

function Strip({ name, images }: { name: string; images: ThumbImage[] | undefined }) {
  return (
    <div className="space-y-1">
      <p className="text-xs text-stone-500">other images of {name}</p>
      <div className="flex flex-wrap gap-1">
        {(images ?? []).map((image) => (
          <Thumb key={image.id} image={image} size="md" />
        ))}
      </div>
    </div>
  );
}

function Big({ id, hash, path, label }: { id: number; hash?: string; path: string; label: string }) {
  return (
    <figure className="space-y-1">
      <img
        src={imageUrl(id, 'full', hash)}
        alt={fileName(path)}
        className="aspect-square w-full max-w-sm rounded bg-stone-200 object-contain dark:bg-stone-800"
      />
      <figcaption className="text-sm">
        <span className="font-semibold">{label}</span> {path}
      </figcaption>
    </figure>
  );
}

function EntryView({ entry, strips }: { entry: ReviewEntry; strips: Record<string, ThumbImage[]> }) {
  if (entry.type === 'pair') {
    const { a, b } = entry.item;
    return (
      <div className="grid gap-4 md:grid-cols-2">
        <div className="space-y-2">
          <Big id={a.imageId} hash={a.hash} path={a.path} label="A" />
          <Strip name={a.identity} images={strips[a.identity]} />
        </div>
        <div className="space-y-2">
          <Big id={b.imageId} hash={b.hash} path={b.path} label="B" />
          {b.identity !== a.identity && <Strip name={b.identity} images={strips[b.identity]} />}
        </div>
      </div>
    );
  }
  if (entry.type === 'identity_pair') {
    const { a, b, centroidSimilarity, pairCount } = entry.item;
    return (
      <div className="space-y-3">
        <p className="text-sm text-stone-500">
          folder likeness {centroidSimilarity.toFixed(3)} · {pairCount.toLocaleString('en')} similar image pairs
        </p>
        <div className="grid gap-4 md:grid-cols-2">
          <Strip name={a} images={strips[a]} />
          <Strip name={b} images={strips[b]} />
        </div>
      </div>
    );
  }
  const { imageId, path, identity, nearestIdentity, score, nearestSimilarity } = entry.item;
  return (
    <div className="grid gap-4 md:grid-cols-2">
      <div className="space-y-1">
        <Big id={imageId} path={path} label="Image" />
        <p className="text-sm text-stone-500">
          likeness to {identity}: {score.toFixed(3)}
          {nearestIdentity && nearestSimilarity !== null && ` · to ${nearestIdentity}: ${nearestSimilarity.toFixed(3)}`}
        </p>
      </div>
      <div className="space-y-3">
        <Strip name={identity} images={strips[identity]} />
        {nearestIdentity && <Strip name={nearestIdentity} images={strips[nearestIdentity]} />}
      </div>
    </div>
  );
}

/** The review queue: whatever the next finding is, decided from the keyboard, with what each verdict also resolves. */
export function ReviewQueue({ initial }: { initial: ReviewNext }) {
  const [next, setNext] = useState(initial);
  const [previews, setPreviews] = useState<Record<string, string>>({});
  const [strips, setStrips] = useState<Record<string, ThumbImage[]>>({});
  const [askKeep, setAskKeep] = useState(false);
  const [busy, setBusy] = useState(false);
  const [help, setHelp] = useState(false);
  const [notice, setNotice] = useState<{ tone: 'info' | 'problem'; text: string } | null>(null);
  const [last, setLast] = useState<{ type: ReviewEntry['type']; id: number; decision: PublicDecision } | null>(null);
  const entry = next.type === null ? null : (next as ReviewEntry);
  const entryId = entry ? `${entry.type}:${entry.item.id}` : 'none';

  useEffect(() => {
    setAskKeep(false);
    setPreviews({});
    if (!entry) return;
    preload(next.upcoming);
    let live = true;
    for (const option of optionsOf(entry)) {
      const decision = option.body ?? { verdict: 'duplicate', keep: 'a' };
      api<ReviewPreview>('/api/review/preview', { method: 'POST', body: { type: entry.type, id: entry.item.id, decision } })
        .then((preview) => live && setPreviews((all) => ({ ...all, [option.key]: preview.summary })))
        .catch(() => {});
    }
    for (const name of foldersOf(entry)) {
      if (strips[name]) continue;
      api<{ images: ThumbImage[] }>(`/api/identities/by-name/${encodeURIComponent(name)}?limit=6`)
        .then((person) => live && setStrips((all) => ({ ...all, [name]: person.images })))
        .catch(() => {});
    }
    return () => {
      live = false;
    };
    // once per entry shown, not again when what it loaded arrives
  }, [entryId]);

  const refresh = async () => setNext(await api<ReviewNext>('/api/review/next'));

  const decide = async (body: Record<string, unknown>) => {
    if (!entry || busy) return;
    setBusy(true);
    setNotice(null);
    try {
      const decision = await api<PublicDecision>(`/api/${ROUTES[entry.type]}/${entry.item.id}/decision`, { method: 'POST', body });
      if (entry.type === 'pair') announceDecision(decision.previousVerdict, decision.verdict);
      setLast({ type: entry.type, id: entry.item.id, decision });
      setNotice({ tone: 'info', text: `Saved: ${describeDecision(decision)}${previews[keyOf(entry, body)] ? ` ${previews[keyOf(entry, body)]}` : ''}` });
      await refresh();
    } catch (error) {
      setNotice({ tone: 'problem', text: error instanceof ApiError && error.status === 409 ? `Not saved: ${error.message}` : (error as Error).message });
    } finally {
      setBusy(false);
    }
  };

  const undo = async () => {
    if (!last || busy) return;
    setBusy(true);
    try {
      await api(`/api/${ROUTES[last.type]}/${last.id}/decision`, { method: 'POST', body: { verdict: 'open', basedOn: last.decision.id } });
      setLast(null);
      setNotice({ tone: 'info', text: `Undone: ${describeDecision(last.decision)}, and everything it resolved` });
      await refresh();
    } catch (error) {
      setNotice({ tone: 'problem', text: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };

  const options = entry ? optionsOf(entry) : [];
  const keysReady = useShortcuts((event) => {
    if (event.repeat) return;
    const { key } = event;
    let handled = true;
    if (help) {
      if (key === 'Escape' || key === '?') setHelp(false);
      else handled = false;
    } else if (askKeep && ['a', 'b', 'Escape'].includes(key)) {
      setAskKeep(false);
      if (key !== 'Escape') void decide({ verdict: 'duplicate', keep: key });
    } else if (key === 'u') void undo();
    else if (key === '?') setHelp(true);
    else if (key === 'Escape') setNotice(null);
    else {
      const option = options.find((o) => o.key === key);
      if (!option) handled = false;
      else if (option.body) void decide(option.body);
      else setAskKeep(true);
    }
    if (handled) event.preventDefault();
  });

  return (
    <div
      className="space-y-4"
      data-testid="review-queue"
      data-type={entry?.type ?? 'none'}
      data-item-id={entry?.item.id}
      data-subject={entry ? subjectOf(entry).join('\n') : undefined}
      data-busy={busy || undefined}
      data-keys={keysReady ? 'ready' : undefined}
    >
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1">
        <h1 className="text-lg font-semibold">Review queue</h1>
        <span className="text-sm text-stone-500" data-testid="review-remaining">
          {next.remaining >= REMAINING_CAP ? `${(REMAINING_CAP - 1).toLocaleString('en')}+` : next.remaining.toLocaleString('en')} finding
          {next.remaining === 1 ? '' : 's'} open
        </span>
        <span className="ml-auto text-sm text-stone-500">
          <Kbd>u</Kbd> Undo · <Kbd>?</Kbd> Shortcuts
        </span>
      </div>
      {notice && (
        <p
          data-testid={`review-notice-${notice.tone}`}
          className={`rounded-md px-3 py-2 text-sm ${notice.tone === 'problem' ? 'bg-rose-50 text-rose-800 dark:bg-rose-950 dark:text-rose-200' : 'bg-stone-100 dark:bg-stone-800'}`}
        >
          {notice.text}
        </p>
      )}
      {!entry ? (
        <Panel className="p-6" data-testid="review-empty">
          <p className="font-medium">Nothing left that deserves a look.</p>
          <p className="text-sm text-stone-500">
            Every finding has a verdict. Export the fix list from{' '}
            <Link href="/admin" className="underline">
              Admin
            </Link>
            , or browse the{' '}
            <Link href="/pairs" className="underline">
              pairs
            </Link>
            .
          </p>
        </Panel>
      ) : (
        <Panel className="space-y-4 p-4">
          <div className="flex flex-wrap items-baseline gap-x-3">
            <h2 className="font-semibold" data-testid="finding-kind" data-kind={entry.finding.kind}>
              {FINDING_LABELS[entry.finding.kind]}
            </h2>
            <span className="text-sm text-stone-500">{entry.finding.folders.join(' · ')}</span>
            {entry.type === 'pair' && <Similarity value={entry.item.similarity} />}
          </div>
          <EntryView entry={entry} strips={strips} />
          <div className="flex flex-wrap gap-2" role="group" aria-label="Verdict">
            {options.map((option) => (
              <button
                key={option.key}
                type="button"
                aria-keyshortcuts={option.key}
                disabled={busy}
                onClick={() => (option.body ? void decide(option.body) : setAskKeep(true))}
                className="inline-flex flex-col items-start rounded-md border border-stone-300 bg-white px-3 py-1.5 text-left text-sm hover:bg-stone-50 disabled:opacity-50 dark:border-stone-700 dark:bg-stone-900 dark:hover:bg-stone-800"
              >
                <span className="inline-flex items-center gap-2 font-medium">
                  <Kbd>{option.key}</Kbd>
                  {option.label}
                </span>
                <span className="text-xs text-stone-500" data-testid={`preview-${option.key}`}>
                  {previews[option.key] ?? '…'}
                </span>
              </button>
            ))}
          </div>
          {askKeep && (
            <p className="text-sm" data-testid="keep-prompt">
              Keep which? <Kbd>a</Kbd> A · <Kbd>b</Kbd> B · <Kbd>Esc</Kbd> cancel
            </p>
          )}
        </Panel>
      )}
      {help && <HelpOverlay keys={HELP} onClose={() => setHelp(false)} />}
    </div>
  );
}

/** The option a body came from, to quote its preview once decided. */
function keyOf(entry: ReviewEntry, body: Record<string, unknown>): string {
  const match = optionsOf(entry).find((o) => JSON.stringify(o.body) === JSON.stringify(body));
  return match?.key ?? (body.verdict === 'duplicate' ? '4' : '');
}

/** What an entry is about, for scripts driving the page: the two paths, the two folders, or the image and where it seems to belong. */
function subjectOf(entry: ReviewEntry): string[] {
  if (entry.type === 'pair') return [entry.item.a.path, entry.item.b.path];
  if (entry.type === 'identity_pair') return [entry.item.a, entry.item.b];
  return [entry.item.path, (entry.finding.detail.belongsTo as string | null | undefined) ?? entry.item.nearestIdentity ?? ''];
}
