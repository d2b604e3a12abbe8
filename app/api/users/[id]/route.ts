// PATCH /api/users/[id] – change role, disable or enable, reset password (admins only)
import { NextResponse } from 'next/server';
import { route, startSession } from '@/lib/http';
import { parseId } from '@/lib/schemas/primitives';
import { updateUserSchema } from '@/lib/schemas/users';
import { updateUser } from '@/lib/services/users';

export const PATCH = route({ role: 'admin', body: updateUserSchema }, async ({ request, user: me, params, body }) => {
  const user = await updateUser(parseId(params.id), body);
  const response = NextResponse.json({ id: user.id, name: user.name, role: user.role, disabled: user.disabled });
  // a new password ends every session of its user, except the one that chose it
  const ownBrowserSession = user.id === me.id && body.password !== undefined && !request.headers.has('authorization');
  return ownBrowserSession ? startSession(response, request, user) : response;
});
