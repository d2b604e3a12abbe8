// POST /api/auth/signin – password sign-in; a form post redirects, a JSON post answers JSON
import { NextResponse, type NextRequest } from 'next/server';
import { isSameOriginRequest } from '@/lib/auth/guard';
import { createSessionValue, SESSION_COOKIE, SESSION_MAX_AGE_SECONDS } from '@/lib/auth/tokens';
import { errorResponse } from '@/lib/http';
import { signInSchema } from '@/lib/schemas/users';
import { authenticatePassword } from '@/lib/services/users';

/** A relative Location: the browser resolves it against the host it used (Next may see another). */
function seeOther(location: string): NextResponse {
  return new NextResponse(null, { status: 303, headers: { location } });
}

function safeNext(value: unknown): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : '/';
}

export async function POST(request: NextRequest) {
  const isForm = (request.headers.get('content-type') ?? '').includes('form');
  try {
    const raw = isForm ? Object.fromEntries(await request.formData()) : await request.json().catch(() => ({}));
    if (isForm && !isSameOriginRequest(request.headers)) return NextResponse.json({ error: 'cross-site sign-in refused' }, { status: 403 });
    const parsed = signInSchema.safeParse(raw);
    const user = parsed.success ? await authenticatePassword(parsed.data.name, parsed.data.password) : null;
    if (!user) {
      return isForm
        ? seeOther(`/signin?error=1&next=${encodeURIComponent(safeNext(raw.next))}`)
        : NextResponse.json({ error: 'wrong name or password' }, { status: 401 });
    }
    const response = isForm
      ? seeOther(safeNext(raw.next))
      : NextResponse.json({ user: { id: user.id, name: user.name, role: user.role } });
    response.cookies.set(SESSION_COOKIE, createSessionValue(user.id), {
      httpOnly: true,
      sameSite: 'lax',
      secure: request.nextUrl.protocol === 'https:' || request.headers.get('x-forwarded-proto') === 'https',
      path: '/',
      maxAge: SESSION_MAX_AGE_SECONDS,
    });
    return response;
  } catch (error) {
    return errorResponse(error);
  }
}
