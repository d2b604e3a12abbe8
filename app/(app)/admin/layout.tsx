import { AdminTabs } from '@/components/admin/admin-tabs';
import { requirePageUser } from '@/lib/auth/page-user';

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  await requirePageUser('admin');
  return (
    <div className="space-y-6">
      <div className="flex items-end gap-6 border-b border-stone-200 dark:border-stone-800">
        <h1 className="pb-2 text-2xl font-semibold">Admin</h1>
        <AdminTabs />
      </div>
      {children}
    </div>
  );
}
