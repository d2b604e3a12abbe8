// PATCH /api/users/[id] – change role, disable or enable, reset password (admins only)
import { z } from 'zod';
import { route } from '@/lib/http';
import { updateUserSchema } from '@/lib/schemas/users';
import { updateUser } from '@/lib/services/users';

const idSchema = z.coerce.number().int().positive();

export const PATCH = route({ role: 'admin', body: updateUserSchema }, async ({ params, body }) => {
  const { id, name, role, disabled } = await updateUser(idSchema.parse(params.id), body);
  return { id, name, role, disabled };
});
