import { ExportLinks } from '@/components/export-links';
import { datasetSummary } from '@/lib/services/summary';
import { requirePageUser } from '@/lib/auth/page-user';

export const metadata = { title: 'Dashboard · facesift' };

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div className="rounded-lg border border-stone-200 bg-white p-4 dark:border-stone-800 dark:bg-stone-900">
      <div className="text-2xl font-semibold tabular-nums">{value.toLocaleString('en')}</div>
      <div className="text-sm text-stone-500">{label}</div>
    </div>
  );
}

export default async function DashboardPage() {
  await requirePageUser();
  const summary = await datasetSummary();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Dashboard</h1>
        <p className="text-sm text-stone-500" data-testid="dataset-root">
          {summary.datasetRoot ? `Dataset: ${summary.datasetRoot}` : 'No dataset yet: run facesift scan --root DIR, or start a scan from Admin.'}
        </p>
      </div>
      <div className="grid grid-cols-2 gap-4 md:grid-cols-3 lg:grid-cols-6">
        <Stat label="people" value={summary.identities} />
        <Stat label="images" value={summary.images} />
        <Stat label="embedded" value={summary.embedded} />
        <Stat label="unreadable / no face" value={summary.problems} />
        <Stat label="open pairs" value={summary.openPairs} />
        <Stat label="reviewed pairs" value={summary.decidedPairs} />
      </div>
      <ExportLinks />
    </div>
  );
}
