'use client';

import Link from 'next/link';
import { useState } from 'react';
import type { OutlierDecisionInput } from '@/lib/schemas/candidates';
import type { OutlierCard as Card } from '@/lib/schemas/responses';
import { api, ApiError } from '@/components/api';
import { describeDecision, type PublicDecision } from '@/components/decision-history';
import { IdentityInput } from '@/components/identity-input';
import { fileName, imageUrl } from '@/components/image-url';
import { StatusBadge } from '@/components/status-badge';
import { Thumb, type ThumbImage } from '@/components/thumb';
import { Button } from '@/components/ui/button';
import { Panel } from '@/components/ui/panel';

type Verdict = Omit<OutlierDecisionInput, 'basedOn'>;

function Strip({ title, href, images }: { title: string; href: string; images: ThumbImage[] }) {
  return (
    <div className="min-w-0">
      <Link href={href} className="mb-1 block truncate text-xs text-stone-500 hover:underline">
        {title}
      </Link>
      <div className="flex gap-1">
        {images.length === 0 ? (
          <span className="text-xs text-stone-400">no other images</span>
        ) : (
          images.map((image) => <Thumb key={image.id} image={image} size="sm" />)
        )}
      </div>
    </div>
  );
}

/** One image that looks unlike its folder, its likeliest owner, and the verdicts on it. */
export function OutlierCard({ card }: { card: Card }) {
  const [decisions, setDecisions] = useState<PublicDecision[]>(card.decisions);
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const latest = decisions[0];
  const status = latest?.verdict ?? 'open';

  const decide = async (verdict: Verdict) => {
    setBusy(true);
    setProblem(null);
    try {
      const decision = await api<PublicDecision>(`/api/outliers/${card.id}/decision`, { method: 'POST', body: { ...verdict, basedOn: latest?.id } });
      setDecisions((all) => [decision, ...all]);
      setTarget('');
    } catch (error) {
      const current = error instanceof ApiError && error.status === 409 ? (error.body.current as PublicDecision | null) : null;
      setProblem(current ? `${current.decidedBy} decided this first (${describeDecision(current)}); reload the page to see it.` : (error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Panel className="flex gap-4 p-3" data-testid="outlier-card">
      <a href={imageUrl(card.imageId, 'full', card.hash)} target="_blank" rel="noreferrer" className="shrink-0 rounded">
        <Thumb image={{ id: card.imageId, hash: card.hash, path: card.path }} size="lg" className="ring-3 ring-amber-400 dark:ring-amber-500" />
      </a>
      <div className="min-w-0 flex-1 space-y-2">
        <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1 text-sm">
          <span className="font-medium">
            <Link href={`/identities/${card.identityId}`} className="hover:underline">
              {card.identity}
            </Link>
            <span className="text-stone-400"> / </span>
            {fileName(card.path)}
          </span>
          <span className="text-stone-500" title="cosine similarity to the rest of its folder: lower is less alike">
            like its folder: <span className="font-semibold tabular-nums text-amber-700 dark:text-amber-400">{card.score.toFixed(3)}</span>
          </span>
          {card.nearestIdentity && card.nearestSimilarity !== null && (
            <span className="text-stone-500">
              most like <span className="font-medium text-stone-800 dark:text-stone-200">{card.nearestIdentity}</span>{' '}
              <span className="tabular-nums">({card.nearestSimilarity.toFixed(3)})</span>
            </span>
          )}
          <span className="ml-auto flex items-center gap-2" data-testid="outlier-status">
            <StatusBadge status={status} />
            {latest && latest.verdict !== 'open' && (
              <span className="text-xs text-stone-500">
                {describeDecision(latest)} · {latest.decidedBy}
              </span>
            )}
          </span>
        </div>
        <div className="flex flex-wrap gap-x-8 gap-y-2">
          <Strip title={`in ${card.identity}`} href={`/identities/${card.identityId}`} images={card.own} />
          {card.nearestIdentity && card.nearestIdentityId !== null && (
            <Strip title={`in ${card.nearestIdentity}`} href={`/identities/${card.nearestIdentityId}`} images={card.nearest} />
          )}
        </div>
        <div className="flex flex-wrap items-center gap-2" role="group" aria-label={`Verdict on ${card.path}`}>
          <span className="text-sm text-stone-600 dark:text-stone-400">Wrong folder:</span>
          {card.nearestIdentity && (
            <Button variant="primary" disabled={busy} onClick={() => void decide({ verdict: 'mislabeled', toIdentity: card.nearestIdentity })}>
              belongs to {card.nearestIdentity}
            </Button>
          )}
          <form
            className="flex items-center gap-1"
            onSubmit={(event) => {
              event.preventDefault();
              if (target.trim()) void decide({ verdict: 'mislabeled', toIdentity: target.trim() });
            }}
          >
            <IdentityInput label="belongs to another person" value={target} onChange={setTarget} placeholder="another person…" className="w-40" />
            <Button type="submit" disabled={busy || !target.trim()}>
              Move
            </Button>
          </form>
          <Button disabled={busy} onClick={() => void decide({ verdict: 'mislabeled', toIdentity: null })} title="not this person, and no folder is theirs">
            nobody known
          </Button>
          <span className="mx-1 h-5 w-px bg-stone-200 dark:bg-stone-700" aria-hidden />
          <Button disabled={busy} onClick={() => void decide({ verdict: 'fine' })} className="border-emerald-300 dark:border-emerald-900">
            Fine, it is {card.identity}
          </Button>
          {status !== 'open' && (
            <Button variant="ghost" disabled={busy} onClick={() => void decide({ verdict: 'open' })}>
              Undo
            </Button>
          )}
        </div>
        {problem && (
          <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
            {problem}
          </p>
        )}
      </div>
    </Panel>
  );
}
