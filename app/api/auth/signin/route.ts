// POST /api/auth/signin – password sign-in; a form post redirects, a JSON post answers JSON
import { NextResponse, type NextRequest } from 'next/server';
import { clientAddress, isCrossSiteRequest, isSameOriginRequest, localPath } from '@/lib/auth/guard';
import { AppError } from '@/lib/errors';
import { errorResponse, startSession } from '@/lib/http';
import { signInSchema } from '@/lib/schemas/users';
import { signIn } from '@/lib/services/users';

/** A relative Location: the browser resolves it against the host it used (Next may see another). */
function seeOther(location: string): NextResponse {
  return new NextResponse(null, { status: 303, headers: { location } });
}

async function readBody(request: NextRequest, isForm: boolean): Promise<Record<string, unknown>> {
  if (isForm) {
    try {
      return Object.fromEntries(await request.formData());
    } catch {
      throw new AppError(400, 'body is not a valid form');
    }
  }
  const text = await request.text();
  if (!text) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError(400, 'body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError(400, 'body must be a JSON object');
  return body as Record<string, unknown>;
}

export async function POST(request: NextRequest) {
  const isForm = (request.headers.get('content-type') ?? '').includes('form');
  // Signing a browser in as someone else is an attack too: no other site may post here, in any
  // content type; a form (which any site can post) must show it comes from this one.
  if (isCrossSiteRequest(request.headers) || (isForm && !isSameOriginRequest(request.headers))) {
    return NextResponse.json({ error: 'cross-site sign-in refused' }, { status: 403 });
  }
  let next = '/';
  try {
    const raw = await readBody(request, isForm);
    next = localPath(raw.next);
    const parsed = signInSchema.safeParse(raw);
    const user = parsed.success ? await signIn(parsed.data.name, parsed.data.password, clientAddress(request.headers)) : null;
    if (!user) {
      return isForm ? seeOther(`/signin?error=1&next=${encodeURIComponent(next)}`) : NextResponse.json({ error: 'wrong name or password' }, { status: 401 });
    }
    return startSession(isForm ? seeOther(next) : NextResponse.json({ user: { id: user.id, name: user.name, role: user.role } }), request, user);
  } catch (error) {
    // a person at the form reads how long to wait on the sign-in page itself
    const wait = error instanceof AppError ? error.body.retryAfterSeconds : undefined;
    if (isForm && typeof wait === 'number') return seeOther(`/signin?error=wait&retry=${wait}&next=${encodeURIComponent(next)}`);
    return errorResponse(error);
  }
}
