// PATCH /api/users/[id] – change role, disable or enable, reset password (admins only)
import { route } from '@/lib/http';
import { parseId } from '@/lib/schemas/primitives';
import { updateUserSchema } from '@/lib/schemas/users';
import { updateUser } from '@/lib/services/users';

export const PATCH = route({ role: 'admin', body: updateUserSchema }, async ({ params, body }) => {
  const { id, name, role, disabled } = await updateUser(parseId(params.id), body);
  return { id, name, role, disabled };
});
