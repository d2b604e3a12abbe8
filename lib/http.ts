import { NextResponse, type NextRequest } from 'next/server';
import { ZodError, type z } from 'zod';
import type { Role } from '@/lib/schemas/responses';
import { requireRole, type SessionUser } from '@/lib/auth/guard';
import { createSessionValue, SESSION_COOKIE, SESSION_MAX_AGE_SECONDS } from '@/lib/auth/tokens';
import { AppError, zodMessage } from '@/lib/errors';

type Params = Record<string, string>;

interface HandlerContext<Q, B> {
  request: NextRequest;
  user: SessionUser;
  params: Params;
  query: Q;
  body: B;
}

interface RouteOptions<Q extends z.ZodType, B extends z.ZodType> {
  role: Role;
  query?: Q;
  body?: B;
}

export function errorResponse(error: unknown): NextResponse {
  if (error instanceof AppError) {
    const retryAfter = error.body.retryAfterSeconds;
    const headers = typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : undefined;
    return NextResponse.json({ error: error.message, ...error.body }, { status: error.status, headers });
  }
  if (error instanceof ZodError) return NextResponse.json({ error: zodMessage(error) }, { status: 400 });
  console.error(error);
  return NextResponse.json({ error: 'internal error' }, { status: 500 });
}

/** Signs the browser in as `user`, in their current session generation. */
export function startSession(response: NextResponse, request: NextRequest, user: { id: number; sessionGeneration: number }): NextResponse {
  response.cookies.set(SESSION_COOKIE, createSessionValue(user.id, user.sessionGeneration), {
    httpOnly: true,
    sameSite: 'lax',
    secure: request.nextUrl.protocol === 'https:' || request.headers.get('x-forwarded-proto') === 'https',
    path: '/',
    maxAge: SESSION_MAX_AGE_SECONDS,
  });
  return response;
}

async function readJson(request: NextRequest): Promise<unknown> {
  const text = await request.text();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError(400, 'body is not valid JSON');
  }
}

/**
 * Every API route goes through here: who may call it, its validated query and body, and one
 * mapping from errors to status codes. Handlers stay one line that calls a service.
 */
export function route<Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined>(
  options: RouteOptions<Q, B>,
  handler: (context: HandlerContext<z.infer<Q>, z.infer<B>>) => Promise<unknown>,
) {
  return async (request: NextRequest, context: { params: Promise<Params> }) => {
    try {
      const user = await requireRole(request.headers, request.method, options.role);
      const query = (options.query ? options.query.parse(Object.fromEntries(request.nextUrl.searchParams)) : undefined) as z.infer<Q>;
      const body = (options.body ? options.body.parse(await readJson(request)) : undefined) as z.infer<B>;
      const result = await handler({ request, user, params: (await context.params) ?? {}, query, body });
      return result instanceof Response ? result : NextResponse.json(result);
    } catch (error) {
      return errorResponse(error);
    }
  };
}
