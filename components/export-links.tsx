import { EXPORT_FORMATS, type ExportFormat } from '@/lib/schemas/export';
import { Panel } from '@/components/ui/panel';

const DESCRIPTIONS: Record<ExportFormat, { label: string; hint: string }> = {
  json: { label: 'Fix list (JSON)', hint: 'every move, deletion and merge the verdicts call for, with the conflicts left out' },
  csv: { label: 'Fix list (CSV)', hint: 'the same actions, one per row, for a spreadsheet' },
  sh: { label: 'Shell script', hint: 'applies the fix list to the dataset folder when you run it (deletes only with FACESIFT_APPLY_DELETES=1)' },
  'seed-csv': { label: 'Open pairs (CSV)', hint: 'the cross-person pairs still to review, name1,name2,similarity' },
};

/** Downloads of GET /api/export, for every signed-in user: the same files as `facesift export --format`. */
export function ExportLinks() {
  return (
    <Panel className="p-4" aria-labelledby="export-heading" data-testid="export-links">
      <h2 id="export-heading" className="text-lg font-medium">
        Export
      </h2>
      <ul className="mt-2 space-y-1.5 text-sm">
        {EXPORT_FORMATS.map((format) => (
          <li key={format}>
            <a href={`/api/export?format=${format}`} download className="font-medium text-sky-700 underline dark:text-sky-400">
              {DESCRIPTIONS[format].label}
            </a>{' '}
            <span className="text-stone-500 dark:text-stone-400">— {DESCRIPTIONS[format].hint}</span>
          </li>
        ))}
      </ul>
    </Panel>
  );
}
