import { headers } from 'next/headers';
import { forbidden, redirect } from 'next/navigation';
import { userFromHeaders, type SessionUser } from '@/lib/auth/guard';

/**
 * For server components: the signed-in user, or a redirect to sign-in. Every page and every
 * generateMetadata calls it before loading anything: a layout renders in parallel with its pages,
 * so a layout's check alone would still send the page's data along with its redirect.
 */
export async function requirePageUser(role: 'curator' | 'admin' = 'curator'): Promise<SessionUser> {
  const user = await userFromHeaders(await headers());
  if (!user) redirect('/signin');
  if (role === 'admin' && user.role !== 'admin') forbidden();
  return user;
}
