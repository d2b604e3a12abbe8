import { headers } from 'next/headers';
import { forbidden, redirect } from 'next/navigation';
import { userFromHeaders, type SessionUser } from '@/lib/auth/guard';

/** For server components: the signed-in user, or a redirect to sign-in. */
export async function requirePageUser(role: 'curator' | 'admin' = 'curator'): Promise<SessionUser> {
  const user = await userFromHeaders(await headers());
  if (!user) redirect('/signin');
  if (role === 'admin' && user.role !== 'admin') forbidden();
  return user;
}
