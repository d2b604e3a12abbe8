import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '@/lib/auth/password';
import { clientAddress, isCrossSiteRequest, isSameOriginRequest } from '@/lib/auth/guard';
import { createSessionValue, hashApiToken, newApiToken, readSessionValue, SESSION_MAX_AGE_SECONDS } from '@/lib/auth/tokens';

describe('session cookies', () => {
  it('reads back the user id and session generation of a cookie it signed', () => {
    expect(readSessionValue(createSessionValue(42, 3))).toEqual({ userId: 42, generation: 3 });
  });

  it('rejects a cookie whose user id or generation was changed', () => {
    const [, generation, expires, signature] = createSessionValue(42, 3).split('.');
    expect(readSessionValue(`1.${generation}.${expires}.${signature}`)).toBeNull();
    expect(readSessionValue(`42.4.${expires}.${signature}`)).toBeNull();
  });

  it('rejects an expired cookie', () => {
    const issued = Date.now() - (SESSION_MAX_AGE_SECONDS + 10) * 1000;
    expect(readSessionValue(createSessionValue(42, 0, issued))).toBeNull();
  });

  it('rejects garbage', () => {
    expect(readSessionValue(undefined)).toBeNull();
    expect(readSessionValue('42')).toBeNull();
    expect(readSessionValue('42.1.!!')).toBeNull();
    expect(readSessionValue('42.0.1.!!')).toBeNull();
  });
});

describe('passwords', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse');
    expect(stored).not.toContain('correct horse');
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct hors', stored)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('refuses when there is no stored hash', async () => {
    expect(await verifyPassword('x', null)).toBe(false);
  });

  it('checks two passwords at a time and refuses, asking to retry, beyond sixteen waiting', async () => {
    const stored = await hashPassword('correct horse');
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => verifyPassword('correct horse', stored)));
    const refused = results.filter((result) => result.status === 'rejected');
    expect(refused).toHaveLength(12);
    expect(refused[0].reason).toMatchObject({ status: 503, body: { retryAfterSeconds: 1 } });
    expect(results.filter((result) => result.status === 'fulfilled' && result.value)).toHaveLength(18);
    expect(await verifyPassword('correct horse', stored)).toBe(true);
  });
});

describe('API tokens', () => {
  it('stores only a hash that matches the token', () => {
    const { token, tokenHash } = newApiToken();
    expect(tokenHash).not.toContain(token);
    expect(hashApiToken(token)).toBe(tokenHash);
    expect(newApiToken().token).not.toBe(token);
  });
});

describe('cross-site request check', () => {
  it('accepts a request whose Origin is this host', () => {
    expect(isSameOriginRequest(headers({ host: 'localhost:3000', origin: 'http://localhost:3000' }))).toBe(true);
  });

  it('refuses a request from another origin', () => {
    expect(isSameOriginRequest(headers({ host: 'localhost:3000', origin: 'http://evil.example' }))).toBe(false);
  });

  it('falls back to Sec-Fetch-Site when there is no Origin', () => {
    expect(isSameOriginRequest(headers({ host: 'localhost:3000', 'sec-fetch-site': 'same-origin' }))).toBe(true);
    expect(isSameOriginRequest(headers({ host: 'localhost:3000', 'sec-fetch-site': 'cross-site' }))).toBe(false);
    expect(isSameOriginRequest(headers({ host: 'localhost:3000' }))).toBe(false);
  });
});

describe('cross-site refusal for sign-in and sign-out', () => {
  it('refuses a request another site made, by its Origin or Sec-Fetch-Site', () => {
    expect(isCrossSiteRequest(headers({ host: 'localhost:3000', origin: 'http://evil.example' }))).toBe(true);
    expect(isCrossSiteRequest(headers({ host: 'localhost:3000', origin: 'null' }))).toBe(true);
    expect(isCrossSiteRequest(headers({ host: 'localhost:3000', 'sec-fetch-site': 'cross-site' }))).toBe(true);
    expect(isCrossSiteRequest(headers({ host: 'localhost:3000', 'sec-fetch-site': 'same-site' }))).toBe(true);
  });

  it('lets through this site’s pages and scripts, which send neither header', () => {
    expect(isCrossSiteRequest(headers({ host: 'localhost:3000', origin: 'http://localhost:3000', 'sec-fetch-site': 'same-origin' }))).toBe(false);
    expect(isCrossSiteRequest(headers({ host: 'localhost:3000', 'sec-fetch-site': 'none' }))).toBe(false);
    expect(isCrossSiteRequest(headers({ host: 'localhost:3000' }))).toBe(false);
  });
});

describe('client address', () => {
  it('takes the address the nearest proxy added, not one the client claimed', () => {
    expect(clientAddress(headers({ 'x-forwarded-for': '203.0.113.9, 10.0.0.5' }))).toBe('10.0.0.5');
    expect(clientAddress(headers({ 'x-forwarded-for': '::1' }))).toBe('::1');
    expect(clientAddress(headers({}))).toBe('unknown');
  });
});

function headers(entries: Record<string, string>) {
  return new Headers(entries);
}
