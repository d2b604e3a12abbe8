// POST /api/auth/signout – ends the browser session
import { NextResponse, type NextRequest } from 'next/server';
import { SESSION_COOKIE } from '@/lib/auth/tokens';

export function POST(request: NextRequest) {
  const response = NextResponse.redirect(new URL('/signin', request.url), 303);
  response.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 0 });
  return response;
}
