// GET /api/users – every user and role (admins only)
import { route } from '@/lib/http';
import { listUsers } from '@/lib/services/users';

export const GET = route({ role: 'admin' }, async () => ({
  items: (await listUsers()).map(({ id, name, role, disabled }) => ({ id, name, role, disabled })),
}));
