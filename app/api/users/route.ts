// GET /api/users – every user and role; POST /api/users – add one {name, role, password?} (admins only)
import { NextResponse } from 'next/server';
import { route } from '@/lib/http';
import { addUserSchema } from '@/lib/schemas/users';
import { addUser, listUsers } from '@/lib/services/users';

export const GET = route({ role: 'admin' }, async () => ({
  items: (await listUsers()).map(({ id, name, role, disabled }) => ({ id, name, role, disabled })),
}));

export const POST = route({ role: 'admin', body: addUserSchema }, async ({ body }) => {
  const { user, generatedPassword } = await addUser(body);
  return NextResponse.json({ id: user.id, name: user.name, role: user.role, disabled: user.disabled, generatedPassword }, { status: 201 });
});
