// POST /api/auth/signout – ends the user's browser sessions, this one and any other
import { NextResponse, type NextRequest } from 'next/server';
import { isCrossSiteRequest, userFromHeaders } from '@/lib/auth/guard';
import { SESSION_COOKIE } from '@/lib/auth/tokens';
import { errorResponse } from '@/lib/http';
import { endSessions } from '@/lib/services/users';

export async function POST(request: NextRequest) {
  if (isCrossSiteRequest(request.headers)) return NextResponse.json({ error: 'cross-site sign-out refused' }, { status: 403 });
  try {
    const user = await userFromHeaders(request.headers);
    if (user) await endSessions(user.id);
  } catch (error) {
    return errorResponse(error);
  }
  const response = new NextResponse(null, { status: 303, headers: { location: '/signin' } });
  response.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 0 });
  return response;
}
