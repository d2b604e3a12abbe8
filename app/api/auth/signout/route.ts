// POST /api/auth/signout – ends the browser session
import { NextResponse } from 'next/server';
import { SESSION_COOKIE } from '@/lib/auth/tokens';

export function POST() {
  const response = new NextResponse(null, { status: 303, headers: { location: '/signin' } });
  response.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 0 });
  return response;
}
