'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { IdentityInput } from '@/components/identity-input';
import { Button, ButtonLink } from '@/components/ui/button';
import { pairsHref, type PairsView } from '@/components/pairs/view';

const number = (text: string) => (text.trim() === '' ? undefined : Number(text));

/** Kind, person and similarity range; status and sort are kept as they are. */
export function PairFilters({ view }: { view: PairsView }) {
  const router = useRouter();
  const [kind, setKind] = useState(view.kind ?? '');
  const [identity, setIdentity] = useState(view.identity ?? '');
  const [min, setMin] = useState(view.minSimilarity?.toString() ?? '');
  const [max, setMax] = useState(view.maxSimilarity?.toString() ?? '');

  const apply = (event: React.FormEvent) => {
    event.preventDefault();
    router.push(
      pairsHref({
        ...view,
        kind: (kind || undefined) as PairsView['kind'],
        identity: identity.trim() || undefined,
        minSimilarity: number(min),
        maxSimilarity: number(max),
      }),
    );
  };

  const filtered = view.kind || view.identity || view.minSimilarity !== undefined || view.maxSimilarity !== undefined;
  return (
    <form onSubmit={apply} className="flex flex-wrap items-end gap-3 text-sm" aria-label="Filter pairs">
      <label className="flex flex-col gap-1">
        <span className="text-xs font-medium text-stone-500">Kind</span>
        <select value={kind} onChange={(event) => setKind(event.target.value)} className="field h-9 py-1">
          <option value="">all kinds</option>
          <option value="cross_identity">cross-identity</option>
          <option value="near_duplicate">near-duplicate</option>
        </select>
      </label>
      <div className="flex flex-col gap-1">
        <span className="text-xs font-medium text-stone-500">Person</span>
        <IdentityInput label="Person" value={identity} onChange={setIdentity} placeholder="any person" className="h-9 w-44" />
      </div>
      <fieldset className="flex flex-col gap-1">
        <legend className="mb-1 text-xs font-medium text-stone-500">Similarity</legend>
        <div className="flex items-center gap-1.5">
          <input
            aria-label="Minimum similarity"
            type="number"
            step="0.01"
            min="-1"
            max="1"
            value={min}
            onChange={(event) => setMin(event.target.value)}
            placeholder="min"
            className="field h-9 w-20 py-1"
          />
          <span className="text-stone-400">–</span>
          <input
            aria-label="Maximum similarity"
            type="number"
            step="0.01"
            min="-1"
            max="1"
            value={max}
            onChange={(event) => setMax(event.target.value)}
            placeholder="max"
            className="field h-9 w-20 py-1"
          />
        </div>
      </fieldset>
      <Button type="submit" variant="primary" className="h-9">
        Apply
      </Button>
      {filtered && (
        <ButtonLink variant="ghost" className="h-9" href={pairsHref({ status: view.status, sort: view.sort })}>
          Clear filters
        </ButtonLink>
      )}
    </form>
  );
}
