import { listPairsSchema, type ListPairsQuery } from '@/lib/schemas/candidates';
import { zodMessage } from '@/lib/errors';

export type SearchParams = Record<string, string | string[] | undefined>;
export type PairsView = Omit<ListPairsQuery, 'limit' | 'cursor'>;

/** Curators come to review what is left, so the page's default differs from the API's (all). */
export const DEFAULT_STATUS = 'open';
export const DEFAULT_VIEW: PairsView = { status: DEFAULT_STATUS, sort: 'similarity' };
export const PAGE_SIZE = 50;

const VIEW_KEYS = ['kind', 'status', 'identity', 'minSimilarity', 'maxSimilarity', 'sort'] as const;

const first = (params: SearchParams, key: string) => {
  const value = params[key];
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  return text ? text : undefined;
};

/**
 * The list's filters live in the URL (a view can be shared) with the API's parameter names;
 * `cursor` continues after a pair and `before` goes back before one.
 */
export function parsePairsView(params: SearchParams): { view: PairsView; cursor?: string; before?: string; problem?: string } {
  const raw = Object.fromEntries(VIEW_KEYS.map((key) => [key, first(params, key)]).filter(([, value]) => value !== undefined));
  const parsed = listPairsSchema.safeParse({ status: DEFAULT_STATUS, ...raw });
  if (!parsed.success) return { view: DEFAULT_VIEW, problem: zodMessage(parsed.error) };
  const { limit: _limit, cursor: _cursor, ...view } = parsed.data;
  return { view, cursor: first(params, 'cursor'), before: first(params, 'before') };
}

/** The URL query of a page showing a view, defaults left out so links stay short. */
export function viewQuery(view: Partial<PairsView>, extra: Record<string, string> = {}): string {
  return toParams(view, extra, true);
}

/** The query for GET /api/pairs: every filter spelled out, as the API's defaults differ from the page's. */
export function apiQuery(view: PairsView, extra: Record<string, string> = {}): string {
  return toParams(view, extra, false);
}

function toParams(view: Partial<PairsView>, extra: Record<string, string>, omitDefaults: boolean): string {
  const params = new URLSearchParams();
  for (const key of VIEW_KEYS) {
    const value = view[key];
    if (value === undefined || (omitDefaults && value === DEFAULT_VIEW[key as keyof PairsView])) continue;
    params.set(key, String(value));
  }
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  return params.toString();
}

export const pairsHref = (view: Partial<PairsView>, extra?: Record<string, string>) => {
  const query = viewQuery(view, extra);
  return query ? `/pairs?${query}` : '/pairs';
};

export const reviewHref = (id: number, view: Partial<PairsView>) => {
  const query = viewQuery(view);
  return query ? `/pairs/${id}?${query}` : `/pairs/${id}`;
};

export const flipSort = (sort: PairsView['sort']): PairsView['sort'] => (sort === 'similarity' ? '-similarity' : 'similarity');

export const KIND_LABELS: Record<NonNullable<PairsView['kind']>, string> = { cross_identity: 'cross-identity', near_duplicate: 'near-duplicate' };
