import { DatasetRootForm } from '@/components/admin/dataset-root-form';
import { SettingsForm } from '@/components/admin/settings-form';
import { requirePageUser } from '@/lib/auth/page-user';
import { getSettings } from '@/lib/services/settings';
import { similarityHistogram } from '@/lib/services/similarity-histogram';

export const metadata = { title: 'Settings · Admin · facesift' };

export default async function AdminSettingsPage() {
  await requirePageUser('admin');
  const settings = await getSettings();
  // streamed: the form shows at once, the histograms when the sample is measured
  const histogram = similarityHistogram().catch((error: unknown) => {
    console.error(error);
    return null;
  });
  return (
    <div className="space-y-6">
      <DatasetRootForm root={settings.datasetRoot} />
      <SettingsForm initial={settings} histogram={histogram} />
    </div>
  );
}
