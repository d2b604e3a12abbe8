import { UsersAdmin } from '@/components/admin/users-admin';
import { requirePageUser } from '@/lib/auth/page-user';
import { listUsers } from '@/lib/services/users';

export const metadata = { title: 'Users · Admin · facesift' };

export default async function AdminUsersPage() {
  const me = await requirePageUser('admin');
  const users = (await listUsers()).map(({ id, name, role, disabled }) => ({ id, name, role, disabled }));
  return <UsersAdmin initial={users} currentUserId={me.id} />;
}
