/** The browser side of the JSON API: one place that turns an error answer into an exception. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: { method?: 'GET' | 'POST' | 'PATCH' | 'DELETE'; body?: unknown } = {}): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    cache: 'no-store',
    headers: init.body === undefined ? undefined : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, body.error ?? `${response.status} ${response.statusText}`, body);
  return body as T;
}

/**
 * Tells the header's progress meter that a pair verdict landed, with what it changes: +1 reviewed
 * when an open pair got a verdict, -1 when one was reopened. The meter counts along instead of
 * asking for counts that cost a scan of every pair.
 */
export const DECIDED_EVENT = 'facesift:decided';
export function announceDecision(previousVerdict: string, verdict: string) {
  const reviewed = Number(verdict !== 'open') - Number(previousVerdict !== 'open');
  if (reviewed !== 0) window.dispatchEvent(new CustomEvent<number>(DECIDED_EVENT, { detail: reviewed }));
}
