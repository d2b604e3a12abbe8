'use client';

import { Suspense, use, useState } from 'react';
import type { UpdateSettingsInput } from '@/lib/schemas/settings';
import type { SettingsView, SimilarityHistogram } from '@/lib/schemas/responses';
import { api } from '@/components/api';
import { formatCount } from '@/components/admin/format';
import { HistogramChart } from '@/components/admin/histogram-chart';
import { Button } from '@/components/ui/button';
import { Panel } from '@/components/ui/panel';

const hint = 'text-sm text-stone-500 dark:text-stone-400';

const toText = (value: number | null) => (value === null ? '' : String(value));
const toNumber = (text: string) => (text.trim() === '' ? null : Number(text));

/** Share of a histogram at or above `threshold` (bins are whole hundredths, so thresholds fall on edges). */
function shareFrom(counts: number[], from: number, binWidth: number, threshold: number): number {
  const first = Math.round((threshold - from) / binWidth);
  const total = counts.reduce((sum, n) => sum + n, 0);
  return total ? counts.slice(Math.max(0, first)).reduce((sum, n) => sum + n, 0) / total : 0;
}

const pct = (share: number) => (share === 0 ? '0%' : share < 0.001 ? '<0.1%' : `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`);

function Charts({
  data,
  cross,
  duplicate,
  outlier,
  scale,
}: {
  data: Promise<SimilarityHistogram | null>;
  cross: number;
  duplicate: number;
  outlier: number;
  scale: 'log' | 'linear';
}) {
  const histogram = use(data);
  if (!histogram) return <p className="text-sm text-red-700 dark:text-red-400">The similarities could not be read (see the server log).</p>;
  if (histogram.sample.images < 2) return <p className={hint}>No embeddings yet: the histograms appear after the first scan.</p>;
  const { from, binWidth, dataset, sample } = histogram;
  const sameAbove = shareFrom(histogram.same, from, binWidth, cross);
  const differentAbove = shareFrom(histogram.different, from, binWidth, cross);
  const duplicates =
    shareFrom(histogram.same, from, binWidth, duplicate) * dataset.samePairs +
    shareFrom(histogram.different, from, binWidth, duplicate) * dataset.differentPairs;
  const flagged = histogram.outliers && 1 - shareFrom(histogram.outliers.counts, from, binWidth, outlier);
  return (
    <div className="space-y-6" data-testid="similarity-histogram">
      <div className="space-y-2">
        <h3 className="font-medium">Image pairs: same person vs different people</h3>
        <HistogramChart
          title="Similarity of image pairs in the same folder and in different folders"
          from={from}
          binWidth={binWidth}
          scale={scale}
          series={[
            {
              label: `different folders (${formatCount(sample.differentPairs)} pairs)`,
              counts: histogram.different,
              tone: 'fill-stone-400/40 stroke-stone-500 dark:fill-stone-500/30 dark:stroke-stone-400',
              swatch: 'bg-stone-400',
            },
            {
              label: `same folder (${formatCount(sample.samePairs)} pairs)`,
              counts: histogram.same,
              tone: 'fill-sky-500/35 stroke-sky-600 dark:fill-sky-400/30 dark:stroke-sky-400',
              swatch: 'bg-sky-500',
            },
          ]}
          markers={[
            { label: 'cross-identity', value: cross, tone: 'stroke-red-600 fill-red-700 dark:stroke-red-400 dark:fill-red-400' },
            { label: 'duplicate', value: duplicate, tone: 'stroke-violet-600 fill-violet-700 dark:stroke-violet-400 dark:fill-violet-300' },
          ]}
        />
        <p className="text-sm" data-testid="threshold-effect">
          At <strong>{cross.toFixed(2)}</strong>, {pct(sameAbove)} of same-folder pairs score above the line: a person filed under two names would show up.
          About <strong>{formatCount(Math.round(differentAbove * dataset.differentPairs))}</strong> different-folder pairs ({pct(differentAbove)}) would be
          listed for review; about {formatCount(Math.round(duplicates))} pairs score {duplicate.toFixed(2)} or more and count as near-duplicates.
        </p>
        <p className={hint}>
          {sample.allPairs ? 'Every pair of ' : 'Random pairs of '}
          {formatCount(sample.images)} images in {formatCount(sample.identities)} folders
          {sample.images < dataset.images ? ` (a random sample of the ${formatCount(dataset.images)} embedded images)` : ''}; model {histogram.model}. Pairs
          within a folder include its mistakes: the left tail of the blue area is where misfiled images sit.
        </p>
      </div>
      <div className="space-y-2">
        <h3 className="font-medium">Images: how well each fits its own folder</h3>
        {histogram.outliers && flagged !== null ? (
          <>
            <HistogramChart
              title="Each image's similarity to the rest of its folder"
              from={from}
              binWidth={binWidth}
              scale={scale}
              series={[
                {
                  label: `images (${formatCount(histogram.outliers.images)})`,
                  counts: histogram.outliers.counts,
                  tone: 'fill-amber-500/35 stroke-amber-600 dark:fill-amber-400/30 dark:stroke-amber-400',
                  swatch: 'bg-amber-500',
                },
              ]}
              markers={[{ label: 'outlier', value: outlier, tone: 'stroke-red-600 fill-red-700 dark:stroke-red-400 dark:fill-red-400' }]}
            />
            <p className="text-sm">
              Images left of the line are flagged as outliers: about <strong>{formatCount(Math.round(flagged * histogram.outliers.images))}</strong> (
              {pct(flagged)}) at {outlier.toFixed(2)}. Scores are from the latest search.
            </p>
          </>
        ) : (
          <p className={hint}>Outlier scores appear after the first search.</p>
        )}
      </div>
    </div>
  );
}

function ThresholdInput({
  id,
  label,
  value,
  onChange,
  fallback,
  help,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  fallback?: number;
  help: string;
}) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <div className="flex items-center gap-2">
        <input
          id={id}
          type="number"
          min={0}
          max={1}
          step={0.01}
          value={value}
          placeholder={fallback === undefined ? undefined : `default ${fallback.toFixed(2)}`}
          onChange={(event) => onChange(event.target.value)}
          className="field w-36 tabular-nums"
          required={fallback === undefined}
        />
        {fallback !== undefined && value !== '' && (
          <button type="button" onClick={() => onChange('')} className="text-sm text-sky-700 underline dark:text-sky-400">
            use default
          </button>
        )}
      </div>
      <p className={hint}>{help}</p>
    </div>
  );
}

export function SettingsForm({ initial, histogram }: { initial: SettingsView; histogram: Promise<SimilarityHistogram | null> }) {
  const [saved, setSaved] = useState(initial);
  const [model, setModel] = useState(initial.model);
  const [preset, setPreset] = useState(initial.preset);
  const [cross, setCross] = useState(toText(initial.crossThreshold));
  const [duplicate, setDuplicate] = useState(toText(initial.duplicateThreshold));
  const [outlier, setOutlier] = useState(toText(initial.outlierThreshold));
  const [skipFolders, setSkipFolders] = useState(initial.skipFolders.join('\n'));
  const [scale, setScale] = useState<'log' | 'linear'>('log');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const valid = (text: string, fallback: number) => {
    const value = toNumber(text);
    return value === null || Number.isNaN(value) ? fallback : value;
  };

  const save = async (event: React.FormEvent) => {
    event.preventDefault();
    const wanted: UpdateSettingsInput = {
      model: model.trim(),
      preset: preset as UpdateSettingsInput['preset'],
      crossThreshold: toNumber(cross),
      duplicateThreshold: toNumber(duplicate) ?? saved.duplicateThreshold,
      outlierThreshold: toNumber(outlier),
      skipFolders: skipFolders
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
    };
    const changes = Object.fromEntries(
      Object.entries(wanted).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(saved[key as keyof SettingsView])),
    );
    if (Object.keys(changes).length === 0) return setMessage({ ok: true, text: 'Nothing changed.' });
    setBusy(true);
    setMessage(null);
    try {
      const next = await api<SettingsView>('/api/settings', { method: 'PATCH', body: changes });
      setSaved(next);
      const reembed = 'model' in changes || 'preset' in changes;
      setMessage({
        ok: true,
        text: reembed
          ? 'Saved. The next scan embeds every image again with this model; thresholds apply from the next search.'
          : 'Saved. Thresholds apply from the next search; skip folders from the next scan.',
      });
    } catch (error) {
      setMessage({ ok: false, text: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={save} className="space-y-6" aria-label="Analysis settings">
      <Panel className="space-y-4 p-4" aria-labelledby="model-heading">
        <h2 id="model-heading" className="text-lg font-medium">
          Model
        </h2>
        <div className="grid gap-4 md:grid-cols-2">
          <div className="space-y-1">
            <label htmlFor="model" className="block text-sm font-medium">
              Recognition model
            </label>
            <input
              id="model"
              value={model}
              onChange={(event) => setModel(event.target.value)}
              className="field font-mono text-sm"
              placeholder="default or /path/to/model.onnx"
            />
            <p className={hint}>
              <code>default</code> (the bundled model) or the absolute path of an .onnx file on the server.
            </p>
          </div>
          <div className="space-y-1">
            <label htmlFor="preset" className="block text-sm font-medium">
              Preset
            </label>
            <select id="preset" value={preset} onChange={(event) => setPreset(event.target.value)} className="field">
              {initial.presets.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                </option>
              ))}
            </select>
            <p className={hint}>{initial.presets.find((p) => p.name === preset)?.description}</p>
          </div>
        </div>
        <p className={hint}>Vectors of different models do not compare: after a change, the next scan embeds every image again.</p>
      </Panel>

      <Panel className="space-y-4 p-4" aria-labelledby="thresholds-heading">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="thresholds-heading" className="text-lg font-medium">
            Thresholds
          </h2>
          <label className="flex items-center gap-2 text-sm text-stone-600 dark:text-stone-400">
            <input
              type="checkbox"
              checked={scale === 'log'}
              onChange={(event) => setScale(event.target.checked ? 'log' : 'linear')}
              className="accent-sky-700"
            />
            log scale (shows the thin tails)
          </label>
        </div>
        <div className="grid gap-4 md:grid-cols-3">
          <ThresholdInput
            id="crossThreshold"
            label="Cross-identity threshold"
            value={cross}
            onChange={setCross}
            fallback={saved.defaults.crossThreshold}
            help="Pairs from different folders at or above it are listed for review."
          />
          <ThresholdInput
            id="duplicateThreshold"
            label="Duplicate threshold"
            value={duplicate}
            onChange={setDuplicate}
            help="Pairs at or above it are near-duplicates, within a folder too."
          />
          <ThresholdInput
            id="outlierThreshold"
            label="Outlier threshold"
            value={outlier}
            onChange={setOutlier}
            fallback={saved.defaults.outlierThreshold}
            help="Images less similar than this to the rest of their folder are flagged."
          />
        </div>
        <Suspense fallback={<p className={hint}>Measuring the similarities of this dataset…</p>}>
          <Charts
            data={histogram}
            cross={valid(cross, saved.defaults.crossThreshold)}
            duplicate={valid(duplicate, saved.duplicateThreshold)}
            outlier={valid(outlier, saved.defaults.outlierThreshold)}
            scale={scale}
          />
        </Suspense>
      </Panel>

      <Panel className="space-y-4 p-4" aria-labelledby="skip-heading">
        <h2 id="skip-heading" className="text-lg font-medium">
          Skip folders
        </h2>
        <label htmlFor="skipFolders" className={`block ${hint}`}>
          Folders inside a person folder that hold images which are <em>not</em> that person (one name per line; case does not matter). Any other folder inside
          a person folder is skipped with a note in the scan.
        </label>
        <textarea id="skipFolders" rows={6} value={skipFolders} onChange={(event) => setSkipFolders(event.target.value)} className="field font-mono text-sm" />
      </Panel>

      <div className="flex items-center gap-3">
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save settings'}
        </Button>
        {message && (
          <p
            role={message.ok ? 'status' : 'alert'}
            className={`text-sm ${message.ok ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-700 dark:text-red-400'}`}
          >
            {message.text}
          </p>
        )}
      </div>
    </form>
  );
}
