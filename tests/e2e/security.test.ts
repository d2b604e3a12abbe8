import { spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const env = () => ({ DATABASE_URL: inject('e2eDatabaseUrl'), FACESIFT_HOME: inject('e2eHome') });
const url = (pathname: string) => `${inject('baseUrl')}${pathname}`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function signInCookie(name: string, password: string): Promise<string> {
  const response = await fetch(url('/api/auth/signin'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.1' },
    body: JSON.stringify({ name, password }),
  });
  expect(response.status).toBe(200);
  return response.headers.get('set-cookie')!.split(';')[0];
}

/**
 * Runs the CLI and returns its exit code and output, whatever the code. Not spawnSync: a blocked
 * event loop outlasts the server's keep-alive and the next request finds its socket closed.
 */
function facesift(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(path.resolve(__dirname, '..', '..', 'bin', 'facesift'), args, { env: { ...process.env, ...env() } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

async function cli(args: string[]): Promise<string> {
  const result = await facesift(args);
  if (result.status !== 0) throw new Error(`facesift ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

describe('pages for a visitor who is not signed in', () => {
  const pages: string[] = ['/', '/pairs', '/identities', '/identities/merge', '/outliers'];
  const adminPages = ['/admin', '/admin/settings', '/admin/users'];
  const secrets: string[] = [];
  let decider: string;
  let pairId: number;
  let curatorCookie: string;

  // Everything a page could leak: the dataset root, folder and file names, content hashes, and
  // the name of whoever decided a pair.
  beforeAll(async () => {
    const db = new pg.Client({ connectionString: inject('e2eDatabaseUrl') });
    await db.connect();
    try {
      secrets.push((await db.query(`SELECT "datasetRoot" FROM "Setting"`)).rows[0].datasetRoot);
      for (const { name } of (await db.query(`SELECT name FROM "Identity"`)).rows) secrets.push(name);
      for (const image of (await db.query(`SELECT path, "contentHash" FROM "Image"`)).rows) secrets.push(path.basename(image.path), image.contentHash);
      pairId = (await db.query(`SELECT id FROM "CandidatePair" ORDER BY similarity ASC, id ASC LIMIT 1`)).rows[0].id;
      const identityId = (await db.query(`SELECT id FROM "Identity" ORDER BY id LIMIT 1`)).rows[0].id;
      const mergeId = (await db.query(`SELECT id FROM "IdentityPair" ORDER BY id LIMIT 1`)).rows[0].id;
      pages.push(`/pairs/${pairId}`, `/identities/${identityId}`, `/identities/merge/${mergeId}`);
    } finally {
      await db.end();
    }
    decider = 'decider-vera';
    secrets.push(decider);
    await cli(['user', 'add', decider, '--role', 'curator', '--password', 'vera-password']);
    const token = await cli(['token', decider]);
    const decided = await fetch(url(`/api/pairs/${pairId}/decision`), {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ verdict: 'fine' }),
    });
    expect(decided.status).toBe(200);
    curatorCookie = await signInCookie('curator', 'curator-password');
  });

  afterAll(async () => {
    // the pair goes back to open, as the other tests expect to find it
    const headers = { cookie: curatorCookie, origin: inject('baseUrl'), 'content-type': 'application/json' };
    const { decisions } = await (await fetch(url(`/api/pairs/${pairId}`), { headers })).json();
    const reopen = await fetch(url(`/api/pairs/${pairId}/decision`), {
      method: 'POST',
      headers,
      body: JSON.stringify({ verdict: 'open', basedOn: decisions[0].id }),
    });
    expect(reopen.status).toBe(200);
  });

  const leaked = (body: string) => secrets.filter((secret) => body.includes(secret));

  it('sends every curator and admin page as a bare redirect to sign-in, with none of its data', async () => {
    expect(secrets.length).toBeGreaterThan(20);
    const leaks: string[] = [];
    for (const page of [...pages, ...adminPages]) {
      for (const headers of [{}, { rsc: '1' }] as Record<string, string>[]) {
        const response = await fetch(url(page), { redirect: 'manual', headers });
        const found = leaked(await response.text());
        if (found.length) leaks.push(`${page}${'rsc' in headers ? ' (RSC)' : ''}: ${found.length} secrets, e.g. ${found[0]}`);
        if (!('rsc' in headers)) {
          expect(response.status, page).toBe(307);
          expect(response.headers.get('location'), page).toMatch(/^\/signin/);
        }
      }
    }
    expect(leaks).toEqual([]);
  });

  it('sends a curator the admin pages as a refusal, with none of their data', async () => {
    for (const page of adminPages) {
      const response = await fetch(url(page), { redirect: 'manual', headers: { cookie: curatorCookie } });
      expect(response.status, page).toBe(403);
      expect(leaked(await response.text()), page).toEqual([]);
    }
  });

  it('shows the pair and who decided it once signed in, so the check above looks at real data', async () => {
    const response = await fetch(url(`/pairs/${pairId}`), { headers: { cookie: curatorCookie } });
    expect(response.status).toBe(200);
    expect(leaked(await response.text())).toContain(decider);
  });
});

describe('framing', () => {
  it('forbids other sites to frame any page', async () => {
    for (const page of ['/signin', '/pairs']) {
      const response = await fetch(url(page), { redirect: 'manual' });
      expect(response.headers.get('content-security-policy'), page).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-frame-options'), page).toBe('DENY');
    }
  });
});

describe('signing in', () => {
  const signIn = (body: BodyInit, headers: Record<string, string>) =>
    fetch(url('/api/auth/signin'), { method: 'POST', redirect: 'manual', headers: { 'x-forwarded-for': '198.51.100.2', ...headers }, body });

  it('sends a form sign-in only to a path of this site', async () => {
    const origin = inject('baseUrl');
    for (const next of ['/\\evil.example', '//evil.example', '/\t/evil.example', 'https://evil.example/', '/%5Cevil.example']) {
      const form = new URLSearchParams({ name: 'curator', password: 'curator-password', next });
      const response = await signIn(form, { origin });
      expect(response.status, next).toBe(303);
      const landing = new URL(response.headers.get('location')!, origin);
      expect(landing.origin, next).toBe(origin);
    }
    const form = new URLSearchParams({ name: 'curator', password: 'curator-password', next: '/pairs?status=all' });
    expect((await signIn(form, { origin })).headers.get('location')).toBe('/pairs?status=all');
  });

  it('answers a malformed multipart body 400', async () => {
    const response = await signIn('--nope\r\ngarbage', { origin: inject('baseUrl'), 'content-type': 'multipart/form-data; boundary=XYZ' });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/form/);
  });

  it('refuses a sign-in posted by another site, whatever its content type', async () => {
    const json = JSON.stringify({ name: 'curator', password: 'curator-password' });
    const attempts: [BodyInit, Record<string, string>][] = [
      [json, { 'content-type': 'text/plain', origin: 'http://evil.example' }],
      [json, { 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site' }],
      [json, { origin: 'null' }],
      [new URLSearchParams({ name: 'curator', password: 'curator-password' }), { origin: 'http://evil.example' }],
    ];
    for (const [body, headers] of attempts) {
      const response = await signIn(body, headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(response.headers.get('set-cookie')).toBeNull();
    }
  });

  it('still signs in a script posting JSON', async () => {
    const response = await signIn(JSON.stringify({ name: 'curator', password: 'curator-password' }), { 'content-type': 'application/json' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ user: { name: 'curator', role: 'curator' } });
  });

  it('makes an account wait after repeated wrong passwords, answering 429 with Retry-After', async () => {
    await cli(['user', 'add', 'target', '--role', 'curator', '--password', 'target-password']);
    const attempt = (password: string) =>
      signIn(JSON.stringify({ name: 'target', password }), { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' });
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 30 && !refused; i++) {
      const response = await attempt('wrong-password');
      statuses.push(response.status);
      if (response.status === 429) refused = response;
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(refused, `statuses: ${statuses}`).toBeDefined();
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await refused!.json()).error).toMatch(/try again/);
    // the right password waits too: the wait protects the account, not the guess
    expect((await attempt('target-password')).status).toBe(429);
    // a person at the form is told on the sign-in page how long to wait
    const form = new URLSearchParams({ name: 'target', password: 'target-password', next: '/pairs' });
    const sentBack = await signIn(form, { origin: inject('baseUrl'), 'x-forwarded-for': '203.0.113.7' });
    expect(sentBack.status).toBe(303);
    expect(sentBack.headers.get('location')).toMatch(/^\/signin\?error=wait&retry=\d+&next=%2Fpairs$/);
    expect(await (await fetch(url(sentBack.headers.get('location')!))).text()).toMatch(/Too many sign-in attempts: try again in \d+ seconds?\./);
    // another account is not held up by this one
    expect((await signIn(JSON.stringify({ name: 'curator', password: 'curator-password' }), { 'content-type': 'application/json' })).status).toBe(200);
  });
});

describe('sessions and tokens', () => {
  const pairs = (headers: Record<string, string>) => fetch(url('/api/pairs?limit=1'), { headers });

  it('ends a session on sign-out, so a copied cookie stops working', async () => {
    const cookie = await signInCookie('curator', 'curator-password');
    expect((await pairs({ cookie })).status).toBe(200);
    const signOut = await fetch(url('/api/auth/signout'), { method: 'POST', redirect: 'manual', headers: { cookie, origin: inject('baseUrl') } });
    expect(signOut.status).toBe(303);
    expect((await pairs({ cookie })).status).toBe(401);
  });

  it('refuses a sign-out posted by another site, and the session goes on', async () => {
    const cookie = await signInCookie('curator', 'curator-password');
    const signOut = await fetch(url('/api/auth/signout'), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, origin: 'http://evil.example', 'content-type': 'text/plain' },
    });
    expect(signOut.status).toBe(403);
    expect((await pairs({ cookie })).status).toBe(200);
  });

  it('ends every session of a user whose password an admin changes', async () => {
    await cli(['user', 'add', 'changing', '--role', 'curator', '--password', 'changing-password']);
    const cookie = await signInCookie('changing', 'changing-password');
    expect((await pairs({ cookie })).status).toBe(200);
    await cli(['user', 'add', 'changing', '--role', 'curator', '--password', 'changed-password']);
    expect((await pairs({ cookie })).status).toBe(401);
  });

  it('keeps the session of an admin who changes their own password, and ends their others', async () => {
    await cli(['user', 'add', 'rotating', '--role', 'admin', '--password', 'rotating-password']);
    const here = await signInCookie('rotating', 'rotating-password');
    const elsewhere = await signInCookie('rotating', 'rotating-password');
    const me = (await (await fetch(url('/api/users'), { headers: { cookie: here } })).json()).items.find((user: { name: string }) => user.name === 'rotating');
    const changed = await fetch(url(`/api/users/${me.id}`), {
      method: 'PATCH',
      headers: { cookie: here, origin: inject('baseUrl'), 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'rotated-password' }),
    });
    expect(changed.status).toBe(200);
    const renewed = changed.headers.get('set-cookie')!.split(';')[0];
    expect((await pairs({ cookie: renewed })).status).toBe(200);
    expect((await pairs({ cookie: here })).status).toBe(401);
    expect((await pairs({ cookie: elsewhere })).status).toBe(401);
  });

  it('revokes one token or all of a user’s tokens from the command line, at once', async () => {
    await cli(['user', 'add', 'scripted', '--role', 'curator', '--password', 'scripted-password']);
    const first = await cli(['token', 'scripted']);
    const second = await cli(['token', 'scripted']);
    const third = await cli(['token', 'scripted']);
    for (const token of [first, second, third]) expect((await pairs(bearer(token))).status).toBe(200);

    expect((await facesift(['token', 'revoke', '--token', first])).status).toBe(0);
    expect((await pairs(bearer(first))).status).toBe(401);
    expect((await pairs(bearer(second))).status).toBe(200);

    expect((await facesift(['token', 'revoke', 'scripted'])).status).toBe(0);
    expect((await pairs(bearer(second))).status).toBe(401);
    expect((await pairs(bearer(third))).status).toBe(401);
  });

  it('refuses wrong arguments to token revoke with exit code 2', async () => {
    expect((await facesift(['token', 'revoke'])).status).toBe(2);
    expect((await facesift(['token', 'revoke', 'scripted', '--token', 'fs_x'])).status).toBe(2);
    expect((await facesift(['token', 'revoke', 'a', 'b'])).status).toBe(2);
    expect((await facesift(['token', 'curator', '--expires-in', 'soon'])).status).toBe(2);
  });

  it('refuses a token once it has expired, and records when a token was last used', async () => {
    const token = await cli(['token', 'curator', '--expires-in', '1']);
    expect((await pairs(bearer(token))).status).toBe(200);
    const db = new pg.Client({ connectionString: inject('e2eDatabaseUrl') });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT "lastUsedAt", "expiresAt" - "createdAt" AS lifetime FROM "ApiToken" ORDER BY id DESC LIMIT 1`);
      expect(rows[0].lastUsedAt).not.toBeNull();
      expect(rows[0].lifetime.days).toBe(1);
      await db.query(`UPDATE "ApiToken" SET "expiresAt" = "createdAt" - interval '1 second' WHERE id = (SELECT max(id) FROM "ApiToken")`);
    } finally {
      await db.end();
    }
    expect((await pairs(bearer(token))).status).toBe(401);
  });
});
