import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '@/lib/auth/password';
import { isSameOriginRequest } from '@/lib/auth/guard';
import { createSessionValue, hashApiToken, newApiToken, readSessionValue, SESSION_MAX_AGE_SECONDS } from '@/lib/auth/tokens';

describe('session cookies', () => {
  it('reads back the user id of a cookie it signed', () => {
    expect(readSessionValue(createSessionValue(42))).toBe(42);
  });

  it('rejects a cookie whose user id was changed', () => {
    const [, expires, signature] = createSessionValue(42).split('.');
    expect(readSessionValue(`1.${expires}.${signature}`)).toBeNull();
  });

  it('rejects an expired cookie', () => {
    const issued = Date.now() - (SESSION_MAX_AGE_SECONDS + 10) * 1000;
    expect(readSessionValue(createSessionValue(42, issued))).toBeNull();
  });

  it('rejects garbage', () => {
    expect(readSessionValue(undefined)).toBeNull();
    expect(readSessionValue('42')).toBeNull();
    expect(readSessionValue('42.1.!!')).toBeNull();
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
  const headers = (entries: Record<string, string>) => new Headers(entries);

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
