import { requirePageUser } from '@/lib/auth/page-user';
import { listUsers } from '@/lib/services/users';

export const metadata = { title: 'Admin · facesift' };

export default async function AdminPage() {
  await requirePageUser('admin');
  const users = await listUsers();
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Admin</h1>
      <section>
        <h2 className="mb-2 text-lg font-medium">Users</h2>
        <table className="min-w-[24rem] text-sm" data-testid="users-table">
          <thead className="text-left text-stone-500">
            <tr>
              <th className="py-1 pr-6">Name</th>
              <th className="py-1 pr-6">Role</th>
              <th className="py-1">State</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.id} className="border-t border-stone-200 dark:border-stone-800">
                <td className="py-1 pr-6">{user.name}</td>
                <td className="py-1 pr-6">{user.role}</td>
                <td className="py-1">{user.disabled ? 'disabled' : 'active'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
