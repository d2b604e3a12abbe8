// PATCH /api/users/[id] – change role, disable or enable, reset password (admins only)
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { route, startSession } from '@/lib/http';
import { updateUserSchema } from '@/lib/schemas/users';
import { updateUser } from '@/lib/services/users';

const idSchema = z.coerce.number().int().positive();

export const PATCH = route({ role: 'admin', body: updateUserSchema }, async ({ request, user: me, params, body }) => {
  const user = await updateUser(idSchema.parse(params.id), body);
  const response = NextResponse.json({ id: user.id, name: user.name, role: user.role, disabled: user.disabled });
  // a new password ends every session of its user, except the one that chose it
  const ownBrowserSession = user.id === me.id && body.password !== undefined && !request.headers.has('authorization');
  return ownBrowserSession ? startSession(response, request, user) : response;
});
