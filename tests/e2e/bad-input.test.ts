import { beforeAll, describe, expect, inject, it } from 'vitest';
import { cli } from '../support/e2e-global-setup';

/**
 * Every kind of bad input a careless script or an attacker sends, against every route and method
 * of the running server: each must be refused with a 4xx and a reason, never a 500, never served
 * as if it were good (a hex id resolving to a real pair). The count is printed so a run shows how
 * many kinds were tried.
 */

type Who = 'curator' | 'admin' | 'browser';

interface Attempt {
  kind: string;
  method: string;
  path: string;
  as?: Who;
  body?: string;
  contentType?: string;
  /** the one right status; otherwise any 4xx but 401/403 */
  status?: number;
  /** an HTML page: right when it answers `status`, no JSON reason to read */
  page?: boolean;
  /** sent from one of the app's own pages (a form post carries its Origin) */
  sameOrigin?: boolean;
}

const NUL = '%00';
const json = (value: unknown) => JSON.stringify(value);
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const long = (n: number) => 'x'.repeat(n);

const BAD_IDS: Record<string, string> = {
  'zero id': '0',
  'negative id': '-1',
  'float id': '1.5',
  'hex id': '0x2',
  'exponent id': '2e0',
  'id above 2^31-1': '2147483648',
  'id of 20 digits': '99999999999999999999',
  'word id': 'abc',
  'id with a NUL byte': `2${NUL}`,
  'id with a leading space': '%202',
  'id with a plus sign': '+2',
};

function idAttempts(method: string, template: string, as: Who, body?: string): Attempt[] {
  return [
    ...Object.entries(BAD_IDS).map(([kind, id]) => ({ kind, method, path: template.replace(':id', id), as, body, status: 400 })),
    { kind: 'unknown id', method, path: template.replace(':id', '2147483647'), as, body, status: 404 },
  ];
}

function listQueryAttempts(path: string): Attempt[] {
  const q = (kind: string, query: string): Attempt => ({ kind, method: 'GET', path: `${path}?${query}`, as: 'curator', status: 400 });
  return [
    q('zero limit', 'limit=0'),
    q('word limit', 'limit=abc'),
    q('huge limit', 'limit=1000000'),
    q('fractional limit', 'limit=2.5'),
    q('garbage cursor', 'cursor=not-a-cursor'),
    q('cursor of an object', `cursor=${cursorOf({ a: 1 })}`),
    q('cursor with an id above 2^31-1', `cursor=${cursorOf([0.5, 1e20])}`),
    q('cursor with a fractional id', `cursor=${cursorOf([0.5, 1.5])}`),
    q('cursor with a NUL byte', `cursor=ab${NUL}`),
    q('unknown status', 'status=bogus'),
    q('unknown kind', 'kind=bogus'),
    q('unknown sort', 'sort=bogus'),
    q('identity with a NUL byte', `identity=a${NUL}b`),
    q('overlong identity', `identity=${long(300)}`),
    q('word similarity', 'minSimilarity=abc'),
    q('similarity out of range', 'maxSimilarity=2'),
    q('unknown parameter', 'colour=blue'),
  ];
}

function bodyAttempts(method: string, path: string, as: Who, extra: Record<string, unknown>[] = []): Attempt[] {
  const b = (kind: string, body: string, contentType = 'application/json'): Attempt => ({ kind, method, path, as, body, contentType, status: 400 });
  return [
    b('malformed JSON', '{"verdict": '),
    b('JSON array', '[]'),
    b('JSON null', 'null'),
    b('JSON string', '"fine"'),
    b('JSON with a wrong type', json({ verdict: 1 })),
    b('unknown enum value', json({ verdict: 'maybe' })),
    b('unknown key', json({ verdict: 'open', colour: 'blue' })),
    b('a form instead of JSON', 'verdict=fine', 'application/x-www-form-urlencoded'),
    b('multipart instead of JSON', '--x\r\nContent-Disposition: form-data; name="verdict"\r\n\r\nfine\r\n--x--\r\n', 'multipart/form-data; boundary=x'),
    b('empty object', '{}'),
    b('basedOn above 2^31-1', json({ verdict: 'open', basedOn: 2147483648 })),
    b('negative basedOn', json({ verdict: 'open', basedOn: -1 })),
    b('fractional basedOn', json({ verdict: 'open', basedOn: 1.5 })),
    b('basedOn as a string', json({ verdict: 'open', basedOn: '1' })),
    ...extra.map((value, at) => b(`body case ${at + 1}: ${JSON.stringify(value).slice(0, 60)}`, json(value))),
  ];
}

function attempts(ids: { pair: number; identityPair: number; outlier: number; identity: number; image: number; user: number; job: string }): Attempt[] {
  const uuidAttempts = (method: string, template: string): Attempt[] => [
    { kind: 'job id that is no UUID', method, path: template.replace(':id', '12'), as: 'admin', status: 400 },
    { kind: 'job id with a NUL byte', method, path: template.replace(':id', `${ids.job.slice(0, -1)}${NUL}`), as: 'admin', status: 400 },
    { kind: 'unknown job id', method, path: template.replace(':id', '00000000-0000-4000-8000-000000000000'), as: 'admin', status: 404 },
  ];
  const admin = (kind: string, method: string, path: string, body: unknown, status = 400): Attempt => ({
    kind,
    method,
    path,
    as: 'admin',
    body: typeof body === 'string' ? body : json(body),
    contentType: 'application/json',
    status,
  });
  return [
    // ids in paths, on every route that takes one
    ...idAttempts('GET', '/api/pairs/:id', 'curator'),
    ...idAttempts('POST', '/api/pairs/:id/decision', 'curator', json({ verdict: 'open' })),
    ...idAttempts('GET', '/api/identity-pairs/:id', 'curator'),
    ...idAttempts('POST', '/api/identity-pairs/:id/decision', 'curator', json({ verdict: 'open' })),
    ...idAttempts('POST', '/api/outliers/:id/decision', 'curator', json({ verdict: 'open' })),
    ...idAttempts('GET', '/api/identities/:id', 'curator'),
    ...idAttempts('GET', '/api/images/:id', 'curator'),
    ...idAttempts('PATCH', '/api/users/:id', 'admin', json({ disabled: false })),
    ...uuidAttempts('GET', '/api/jobs/:id'),
    ...uuidAttempts('DELETE', '/api/jobs/:id'),
    ...uuidAttempts('POST', '/api/jobs/:id/retry'),
    ...uuidAttempts('GET', '/api/scans/:id'),
    ...uuidAttempts('DELETE', '/api/scans/:id'),

    // query parameters
    ...listQueryAttempts('/api/pairs'),
    ...listQueryAttempts('/api/identity-pairs'),
    ...listQueryAttempts('/api/outliers'),
    { kind: 'search with a NUL byte', method: 'GET', path: `/api/identities?q=a${NUL}`, as: 'curator', status: 400 },
    { kind: 'overlong search', method: 'GET', path: `/api/identities?q=${long(201)}`, as: 'curator', status: 400 },
    { kind: 'zero limit', method: 'GET', path: '/api/identities?limit=0', as: 'curator', status: 400 },
    { kind: 'unknown parameter', method: 'GET', path: '/api/identities?colour=blue', as: 'curator', status: 400 },
    { kind: 'zero limit', method: 'GET', path: `/api/identities/${ids.identity}?limit=0`, as: 'curator', status: 400 },
    { kind: 'word limit', method: 'GET', path: `/api/identities/${ids.identity}?limit=abc`, as: 'curator', status: 400 },
    { kind: 'name with a NUL byte', method: 'GET', path: `/api/identities/by-name/a${NUL}b`, as: 'curator', status: 400 },
    { kind: 'overlong name', method: 'GET', path: `/api/identities/by-name/${long(300)}`, as: 'curator', status: 400 },
    { kind: 'unknown name', method: 'GET', path: '/api/identities/by-name/nobody-at-all', as: 'curator', status: 404 },
    { kind: 'zero limit', method: 'GET', path: '/api/identities/by-name/nobody-at-all?limit=0', as: 'curator', status: 400 },
    { kind: 'unknown size', method: 'GET', path: `/api/images/${ids.image}?size=huge`, as: 'curator', status: 400 },
    { kind: 'version with a NUL byte', method: 'GET', path: `/api/images/${ids.image}?v=a${NUL}`, as: 'curator', status: 400 },
    { kind: 'overlong version', method: 'GET', path: `/api/images/${ids.image}?v=${long(200)}`, as: 'curator', status: 400 },
    { kind: 'zero limit', method: 'GET', path: '/api/jobs?limit=0', as: 'admin', status: 400 },
    { kind: 'word limit', method: 'GET', path: '/api/jobs?limit=abc', as: 'admin', status: 400 },
    { kind: 'unknown format', method: 'GET', path: '/api/export?format=xlsx', as: 'curator', status: 400 },
    { kind: 'format with a NUL byte', method: 'GET', path: `/api/export?format=csv${NUL}`, as: 'curator', status: 400 },
    { kind: 'unknown parameter', method: 'GET', path: '/api/export?colour=blue', as: 'curator', status: 400 },

    // bodies
    ...bodyAttempts('POST', `/api/pairs/${ids.pair}/decision`, 'curator', [
      { verdict: 'mislabeled' },
      { verdict: 'mislabeled', side: 'c' },
      { verdict: 'duplicate', keep: 'a\u0000' },
      { verdict: 'fine', side: 'a' },
    ]),
    ...bodyAttempts('POST', `/api/identity-pairs/${ids.identityPair}/decision`, 'curator', [
      { verdict: 'different', into: 'a' },
      { verdict: 'same', into: 'c' },
    ]),
    ...bodyAttempts('POST', `/api/outliers/${ids.outlier}/decision`, 'curator', [
      { verdict: 'mislabeled', toIdentity: 'a\u0000b' },
      { verdict: 'mislabeled', toIdentity: long(300) },
      { verdict: 'mislabeled', toIdentity: 7 },
      { verdict: 'fine', toIdentity: 'amy' },
    ]),
    admin('malformed JSON', 'PATCH', '/api/settings', '{'),
    admin('empty object', 'PATCH', '/api/settings', {}),
    admin('dataset root with a NUL byte', 'PATCH', '/api/settings', { datasetRoot: '/data/a\u0000b' }),
    admin('dataset root of a wrong type', 'PATCH', '/api/settings', { datasetRoot: 5 }),
    admin('relative dataset root', 'PATCH', '/api/settings', { datasetRoot: 'data' }),
    admin('overlong dataset root', 'PATCH', '/api/settings', { datasetRoot: `/${long(5000)}` }),
    admin('model with a NUL byte', 'PATCH', '/api/settings', { model: '/m/a\u0000.onnx' }),
    admin('unknown preset', 'PATCH', '/api/settings', { preset: 'bogus' }),
    admin('threshold as a string', 'PATCH', '/api/settings', { duplicateThreshold: '0.9' }),
    admin('threshold out of range', 'PATCH', '/api/settings', { duplicateThreshold: 2 }),
    admin('skip folder with a NUL byte', 'PATCH', '/api/settings', { skipFolders: ['a\u0000'] }),
    admin('skip folders not a list', 'PATCH', '/api/settings', { skipFolders: 'a' }),
    admin('unknown key', 'PATCH', '/api/settings', { colour: 'blue' }),
    admin('malformed JSON', 'POST', '/api/users', '{"name"'),
    admin('user name with a NUL byte', 'POST', '/api/users', { name: 'a\u0000b', role: 'curator' }),
    admin('overlong user name', 'POST', '/api/users', { name: long(65), role: 'curator' }),
    admin('unknown role', 'POST', '/api/users', { name: 'robin', role: 'owner' }),
    admin('password with a NUL byte', 'POST', '/api/users', { name: 'robin', role: 'curator', password: 'pass\u0000word' }),
    admin('name of a wrong type', 'POST', '/api/users', { name: 12, role: 'curator' }),
    admin('JSON array', 'POST', '/api/users', []),
    admin('empty object', 'PATCH', `/api/users/${ids.user}`, {}),
    admin('unknown role', 'PATCH', `/api/users/${ids.user}`, { role: 'owner' }),
    admin('disabled as a string', 'PATCH', `/api/users/${ids.user}`, { disabled: 'yes' }),
    admin('password with a NUL byte', 'PATCH', `/api/users/${ids.user}`, { password: 'pass\u0000word' }),
    admin('malformed JSON', 'PATCH', `/api/users/${ids.user}`, '{'),
    admin('malformed JSON', 'POST', '/api/scans', '{'),
    admin('unknown scan mode', 'POST', '/api/scans', { mode: 'partial' }),
    admin('search as a string', 'POST', '/api/scans', { search: 'yes' }),
    admin('unknown key', 'POST', '/api/scans', { root: '/' }),
    {
      kind: 'sign-in name with a NUL byte',
      method: 'POST',
      path: '/api/auth/signin',
      body: json({ name: 'ad\u0000min', password: 'x' }),
      contentType: 'application/json',
    },
    {
      kind: 'sign-in with an overlong name',
      method: 'POST',
      path: '/api/auth/signin',
      body: json({ name: long(100), password: 'x' }),
      contentType: 'application/json',
    },
    { kind: 'sign-in with malformed JSON', method: 'POST', path: '/api/auth/signin', body: '{', contentType: 'application/json' },
    {
      kind: 'sign-in with a wrong type',
      method: 'POST',
      path: '/api/auth/signin',
      body: json({ name: ['admin'], password: 1 }),
      contentType: 'application/json',
    },
    {
      kind: 'sign-in with a malformed multipart body',
      method: 'POST',
      path: '/api/auth/signin',
      body: '--y\r\nbroken',
      contentType: 'multipart/form-data; boundary=x',
      sameOrigin: true,
    },
    {
      kind: 'sign-in with a multipart body without a boundary',
      method: 'POST',
      path: '/api/auth/signin',
      body: 'name=admin',
      contentType: 'multipart/form-data',
      sameOrigin: true,
    },

    // methods a route does not have
    { kind: 'unsupported method', method: 'PUT', path: '/api/pairs', as: 'curator', status: 405 },
    { kind: 'unsupported method', method: 'DELETE', path: `/api/pairs/${ids.pair}`, as: 'curator', status: 405 },
    { kind: 'unsupported method', method: 'POST', path: '/api/settings', as: 'admin', status: 405 },

    // pages: an unknown or malformed id is a 404 page, whatever the shape of the id
    ...['0x2', '2147483648', '99999999999999999999', '2147483647', `2${NUL}`, 'abc'].flatMap((id) => [
      { kind: `pair page with id ${id}`, method: 'GET', path: `/pairs/${id}`, as: 'browser' as Who, status: 404, page: true },
      { kind: `person page with id ${id}`, method: 'GET', path: `/identities/${id}`, as: 'browser' as Who, status: 404, page: true },
      { kind: `merge page with id ${id}`, method: 'GET', path: `/identities/merge/${id}`, as: 'browser' as Who, status: 404, page: true },
    ]),
    { kind: 'pairs page with a NUL byte in a filter', method: 'GET', path: `/pairs?identity=a${NUL}`, as: 'browser', status: 200, page: true },
    { kind: 'pairs page with a garbage cursor', method: 'GET', path: '/pairs?cursor=garbage', as: 'browser', status: 200, page: true },
    { kind: 'outliers page with a NUL byte in a filter', method: 'GET', path: `/outliers?identity=a${NUL}`, as: 'browser', status: 200, page: true },
    { kind: 'merge list with a garbage cursor', method: 'GET', path: '/identities/merge?cursor=garbage', as: 'browser', status: 200, page: true },
    { kind: 'people page with a NUL byte in the search', method: 'GET', path: `/identities?q=a${NUL}`, as: 'browser', status: 200, page: true },
  ];
}

interface Outcome {
  attempt: Attempt;
  status: number;
  reason: string | null;
  right: boolean;
}

describe('bad input over HTTP', () => {
  const base = () => inject('baseUrl');
  const env = () => ({ DATABASE_URL: inject('e2eDatabaseUrl'), FACESIFT_HOME: inject('e2eHome') });
  let tokens: Record<'curator' | 'admin', string>;
  let cookie: string;

  beforeAll(async () => {
    tokens = { curator: cli(['token', 'curator'], env()).trim(), admin: cli(['token', 'admin'], env()).trim() };
    const signin = await fetch(`${base()}/api/auth/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'curator', password: 'curator-password' }),
    });
    cookie = signin.headers.get('set-cookie')!.split(';')[0];
  });

  async function firstId(path: string, as: 'curator' | 'admin'): Promise<number | string> {
    const response = await fetch(`${base()}${path}`, { headers: { authorization: `Bearer ${tokens[as]}` } });
    const { items } = await response.json();
    expect(items.length, `${path} lists something to aim at`).toBeGreaterThan(0);
    return items[0].id;
  }

  async function send(attempt: Attempt): Promise<Outcome> {
    const headers: Record<string, string> = {};
    if (attempt.as === 'browser') headers.cookie = cookie;
    else if (attempt.as) headers.authorization = `Bearer ${tokens[attempt.as]}`;
    if (attempt.contentType) headers['content-type'] = attempt.contentType;
    if (attempt.sameOrigin) headers.origin = base();
    const response = await fetch(`${base()}${attempt.path}`, { method: attempt.method, headers, body: attempt.body, redirect: 'manual' });
    const text = await response.text();
    let reason: string | null = null;
    try {
      const error = JSON.parse(text).error;
      reason = typeof error === 'string' && error.length > 0 ? error : null;
    } catch {
      reason = null;
    }
    const status = response.status;
    const right = attempt.page
      ? status === attempt.status
      : attempt.status === 405
        ? status === 405
        : (attempt.status ? status === attempt.status : status >= 400 && status < 500 && status !== 403) && reason !== null;
    return { attempt, status, reason, right };
  }

  it('refuses every kind with a 4xx and a reason, and never answers 500', async () => {
    const identity = (await firstId('/api/identities', 'curator')) as number;
    const person = await (await fetch(`${base()}/api/identities/${identity}`, { headers: { authorization: `Bearer ${tokens.curator}` } })).json();
    const ids = {
      pair: (await firstId('/api/pairs', 'curator')) as number,
      identityPair: (await firstId('/api/identity-pairs', 'curator')) as number,
      outlier: (await firstId('/api/outliers?kind=all', 'curator')) as number,
      identity,
      image: person.images[0].id as number,
      user: (await firstId('/api/users', 'admin')) as number,
      job: (await firstId('/api/jobs', 'admin')) as string,
    };
    const outcomes: Outcome[] = [];
    for (const attempt of attempts(ids)) outcomes.push(await send(attempt));
    const wrong = outcomes.filter((outcome) => !outcome.right);
    console.log(`bad input: ${outcomes.length} kinds tried, ${outcomes.length - wrong.length} answered right`);
    for (const { attempt, status, reason } of wrong) {
      console.log(`  wrong: ${attempt.kind}: ${attempt.method} ${attempt.path.slice(0, 120)} -> ${status} ${reason ?? '(no reason)'}`);
    }
    expect(outcomes.filter((outcome) => outcome.status >= 500).map(({ attempt }) => `${attempt.method} ${attempt.path.slice(0, 80)}`)).toEqual([]);
    expect(wrong.map(({ attempt, status }) => `${attempt.kind}: ${attempt.method} ${attempt.path.slice(0, 80)} -> ${status}`)).toEqual([]);
  });

  it('never lets a refused decision change the pair', async () => {
    const pair = (await firstId('/api/pairs', 'curator')) as number;
    const read = async () => (await fetch(`${base()}/api/pairs/${pair}`, { headers: { authorization: `Bearer ${tokens.curator}` } })).json();
    const before = await read();
    for (const attempt of bodyAttempts('POST', `/api/pairs/${pair}/decision`, 'curator')) await send(attempt);
    expect(await read()).toEqual(before);
  });
});
