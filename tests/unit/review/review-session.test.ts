import { beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeCursor, encodeCursor } from '@/lib/schemas/primitives';
import type { Bundle, PairDetail, Person } from '@/components/pairs/bundle';
import type { PublicDecision } from '@/components/decision-history';
import { ReviewSession } from '@/components/pairs/review-session';
import { DEFAULT_VIEW } from '@/components/pairs/view';

/**
 * A stand-in for the API the session talks to: pairs 1..8, most similar first (pair 1), each in
 * two folders, and decisions with the same basedOn rule as the server. Decision answers can be
 * held back to act out a slow network.
 */
class FakeApi {
  pairs = Array.from({ length: 8 }, (_, i) => ({ id: i + 1, similarity: 0.9 - i * 0.05 }));
  decisions = new Map<number, PublicDecision[]>();
  posts: { id: number; body: Record<string, unknown> }[] = [];
  held: (() => void)[] = [];
  requested: string[] = [];
  holdDecisions = false;
  private nextDecisionId = 100;

  detail(id: number): PairDetail {
    const pair = this.pairs.find((p) => p.id === id)!;
    const decisions = this.decisions.get(id) ?? [];
    return {
      id,
      kind: 'cross_identity',
      similarity: pair.similarity,
      status: decisions[0]?.verdict ?? 'open',
      a: { imageId: id * 10, identity: 'amy', path: `amy/${id}.png`, hash: `ha${id}` },
      b: { imageId: id * 10 + 1, identity: 'penny', path: `penny/${id}.png`, hash: `hb${id}` },
      decisions,
      resolvedBy: null,
    };
  }

  decide(id: number, verdict: string, by = 'curator'): PublicDecision {
    const previous = this.decisions.get(id) ?? [];
    const decision = {
      id: this.nextDecisionId++,
      verdict,
      previousVerdict: previous[0]?.verdict ?? 'open',
      side: null,
      misfiledHash: null,
      keepHash: null,
      dropHash: null,
      fromIdentity: null,
      toIdentity: null,
      intoIdentity: null,
      decidedBy: by,
      decidedAt: new Date().toISOString(),
    };
    this.decisions.set(id, [decision, ...previous]);
    return decision;
  }

  async handle(url: string, init: { method?: string; body?: string } = {}): Promise<Response> {
    const { pathname, searchParams } = new URL(url, 'http://test');
    this.requested.push(pathname);
    const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
    if (pathname === '/api/pairs') {
      const descending = searchParams.get('sort') !== '-similarity';
      const ordered = [...this.pairs].sort((x, y) => (descending ? y.similarity - x.similarity : x.similarity - y.similarity));
      const after = searchParams.has('cursor') ? decodeCursor(searchParams.get('cursor')!) : null;
      const rest = after ? ordered.filter((p) => (descending ? p.similarity < after[0] : p.similarity > after[0])) : ordered;
      const limit = Number(searchParams.get('limit'));
      const items = rest.slice(0, limit).map((p) => this.detail(p.id));
      const last = items[items.length - 1];
      return json({ items, nextCursor: rest.length > limit ? encodeCursor(last.similarity, last.id) : null });
    }
    const person = pathname.match(/^\/api\/identities\/by-name\/(.+)$/);
    if (person) return json(this.person(decodeURIComponent(person[1])));
    const decision = pathname.match(/^\/api\/pairs\/(\d+)\/decision$/);
    if (decision && init.method === 'POST') {
      const id = Number(decision[1]);
      const body = JSON.parse(init.body!);
      this.posts.push({ id, body });
      if (this.holdDecisions) await new Promise<void>((resolve) => this.held.push(resolve));
      const current = this.decisions.get(id)?.[0] ?? null;
      if ((current?.id ?? undefined) !== body.basedOn) return json({ error: `${current?.decidedBy} decided this meanwhile`, current }, 409);
      return json(this.decide(id, body.verdict));
    }
    const pair = pathname.match(/^\/api\/pairs\/(\d+)$/);
    if (pair) return json(this.detail(Number(pair[1])));
    return json({ error: 'not found' }, 404);
  }

  person(name: string): Person {
    return { id: name === 'amy' ? 1 : 2, name, gone: false, imageCount: 3, flaggedOutliers: 0, images: [] };
  }

  release() {
    this.held.splice(0).forEach((resolve) => resolve());
  }

  bundle(id: number): Bundle {
    return { pair: this.detail(id), people: { a: this.person('amy'), b: this.person('penny') } };
  }
}

let server: FakeApi;
let moves: number[];

beforeEach(() => {
  server = new FakeApi();
  moves = [];
  vi.stubGlobal('fetch', (url: string, init?: { method?: string; body?: string }) => server.handle(url, init));
  vi.stubGlobal(
    'Image',
    class {
      onload: (() => void) | null = null;
      onerror: (() => void) | null = null;
      src = '';
    },
  );
  vi.stubGlobal('window', { dispatchEvent: () => true });
});

function start(pairId: number) {
  const pair = server.detail(pairId);
  const session = new ReviewSession(server.bundle(pairId), DEFAULT_VIEW, encodeCursor(pair.similarity, pair.id), (id) => moves.push(id));
  session.warm();
  return session;
}

/** The session has the ids after the first pair and has begun loading the next ones. */
const primed = () => vi.waitFor(() => expect(server.requested).toContain('/api/pairs/2'));
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const showing = (session: ReviewSession) => session.getSnapshot().pairId;

describe('a review session', () => {
  it('moves to the next pair at once and saves the verdict behind the curator', async () => {
    const session = start(1);
    await primed();
    server.holdDecisions = true;

    session.decide({ verdict: 'fine' });
    expect(showing(session)).toBe(2);
    expect(moves).toEqual([2]);
    await vi.waitFor(() => expect(session.getSnapshot().saving).toBe(true));

    server.release();
    await vi.waitFor(() => expect(session.getSnapshot().saving).toBe(false));
    expect(server.decisions.get(1)?.map((d) => d.verdict)).toEqual(['fine']);
    expect(server.posts).toEqual([{ id: 1, body: { verdict: 'fine' } }]);
  });

  it('bases a second verdict on a pair on the first, even when it is given before the first is saved', async () => {
    const session = start(1);
    await primed();
    server.holdDecisions = true;
    session.decide({ verdict: 'fine' });
    await session.previous();
    session.decide({ verdict: 'mislabeled', side: 'a' });

    server.release();
    await vi.waitFor(() => expect(server.posts).toHaveLength(2));
    server.release();
    await vi.waitFor(() => expect(session.getSnapshot().saving).toBe(false));
    const [first, second] = server.posts;
    expect(second.body).toEqual({ verdict: 'mislabeled', side: 'a', basedOn: server.decisions.get(1)![1].id });
    expect(first.body.basedOn).toBeUndefined();
    expect(session.getSnapshot().notice).toBeNull();
  });

  it('takes back its latest verdict: back to that pair, reopened on the decision it undoes', async () => {
    const session = start(1);
    await primed();
    session.decide({ verdict: 'duplicate', keep: 'b' });
    expect(showing(session)).toBe(2);

    await session.undo();
    expect(showing(session)).toBe(1);
    const [reopened, undone] = server.decisions.get(1)!;
    expect(undone.verdict).toBe('duplicate');
    expect(reopened).toMatchObject({ verdict: 'open', previousVerdict: 'duplicate' });
    expect(server.posts.at(-1)?.body).toEqual({ verdict: 'open', basedOn: undone.id });
    expect(session.getSnapshot().bundle?.pair.status).toBe('open');
    expect(session.getSnapshot().canUndo).toBe(false);
  });

  it('says who decided first when another curator got there before, and shows the pair as it is now', async () => {
    const session = start(1);
    await primed();
    server.decide(1, 'fine', 'admin');

    session.decide({ verdict: 'mislabeled', side: 'b' });
    await vi.waitFor(() => expect(session.getSnapshot().notice?.kind).toBe('conflict'));
    expect(session.getSnapshot().notice).toMatchObject({ pairId: 1, current: { verdict: 'fine', decidedBy: 'admin' } });
    expect(server.decisions.get(1)).toHaveLength(1);

    await session.reload(1);
    expect(showing(session)).toBe(1);
    expect(session.getSnapshot().bundle?.pair).toMatchObject({ status: 'fine', decisions: [{ decidedBy: 'admin' }] });
    expect(session.getSnapshot().notice).toBeNull();
  });

  it('walks back past the pair it was opened on, in the order of the view', async () => {
    const session = start(5);
    await session.previous();
    expect(showing(session)).toBe(4);
    await session.previous();
    await session.previous();
    await session.previous();
    expect(showing(session)).toBe(1);
    await session.previous();
    expect(showing(session)).toBe(1);
    expect(session.getSnapshot().notice?.kind).toBe('info');
    for (let step = 0; step < 7; step++) await session.next();
    expect(showing(session)).toBe(8);
    await settle();
    expect(session.getSnapshot().hasNext).toBe(false);
  });
});
