'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api } from '@/components/api';
import { Button } from '@/components/ui/button';
import { Panel } from '@/components/ui/panel';

const ONE_DATASET =
  'One database reviews one dataset: images, pairs, decisions and exports all refer to files under this folder, so it is set once and never changed. To review another folder, run facesift with another database (DATABASE_URL or FACESIFT_HOME).';

export function DatasetRootForm({ root }: { root: string | null }) {
  const router = useRouter();
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const save = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('/api/settings', { method: 'PATCH', body: { datasetRoot: value } });
      router.refresh();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Panel className="space-y-3 p-4" aria-labelledby="root-heading">
      <h2 id="root-heading" className="text-lg font-medium">
        Dataset root
      </h2>
      {root ? (
        <p className="font-mono text-sm" data-testid="dataset-root-value">
          {root}
        </p>
      ) : (
        <form onSubmit={save} className="flex flex-wrap items-start gap-3">
          <label htmlFor="datasetRoot" className="sr-only">
            Dataset root
          </label>
          <input
            id="datasetRoot"
            required
            value={value}
            onChange={(event) => setValue(event.target.value)}
            placeholder="/data/faces (the folder that holds one folder per person)"
            className="field max-w-xl flex-1 font-mono text-sm"
          />
          <Button type="submit" variant="primary" disabled={busy} className="self-stretch">
            {busy ? 'Checking…' : 'Set dataset root'}
          </Button>
          {error && (
            <p role="alert" className="w-full text-sm text-red-700 dark:text-red-400">
              {error}
            </p>
          )}
        </form>
      )}
      <p className="text-sm text-stone-500 dark:text-stone-400">{ONE_DATASET}</p>
    </Panel>
  );
}
