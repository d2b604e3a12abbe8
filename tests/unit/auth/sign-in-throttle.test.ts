import { describe, expect, it } from 'vitest';
import { SignInThrottle } from '@/lib/auth/sign-in-throttle';

/** A throttle on a clock the test moves. */
function throttle() {
  let now = 1_000_000;
  return { throttle: new SignInThrottle(() => now), advance: (ms: number) => (now += ms) };
}

function fail(t: SignInThrottle, account: string, address: string): number | null {
  const attempt = t.attempt(account, address);
  return 'retryAfterSeconds' in attempt ? attempt.retryAfterSeconds : null;
}

describe('sign-in backoff', () => {
  it('lets an account fail five times, then makes it wait twice as long after each further failure', () => {
    const { throttle: t, advance } = throttle();
    for (let i = 0; i < 6; i++) expect(fail(t, 'alice', `10.0.0.${i}`)).toBeNull();
    expect(fail(t, 'alice', '10.0.1.1')).toBe(1);
    advance(1_000);
    expect(fail(t, 'alice', '10.0.1.2')).toBeNull();
    expect(fail(t, 'alice', '10.0.1.3')).toBe(2);
    advance(2_000);
    expect(fail(t, 'alice', '10.0.1.4')).toBeNull();
    expect(fail(t, 'alice', '10.0.1.5')).toBe(4);
    expect(fail(t, 'bob', '10.0.1.6')).toBeNull();
  });

  it('never makes anyone wait more than fifteen minutes', () => {
    const { throttle: t, advance } = throttle();
    let waits = 0;
    for (let allowed = 0; allowed < 25;) {
      const wait = fail(t, 'alice', `10.0.0.${allowed}`);
      if (wait === null) allowed++;
      else {
        expect(wait).toBeLessThanOrEqual(15 * 60);
        advance(wait * 1_000);
        waits++;
      }
    }
    expect(waits).toBeGreaterThan(10);
    expect(fail(t, 'alice', '10.0.9.9')).toBe(15 * 60);
  });

  it('counts an attempt as failed while its password is being checked, so a burst cannot outrun the count', () => {
    const { throttle: t } = throttle();
    const started = Array.from({ length: 10 }, (_, i) => t.attempt('alice', `10.0.0.${i}`));
    expect(started.filter((attempt) => 'retryAfterSeconds' in attempt)).toHaveLength(4);
  });

  it('forgets an account’s failures once it signs in', () => {
    const { throttle: t } = throttle();
    for (let i = 0; i < 5; i++) fail(t, 'alice', `10.0.0.${i}`);
    const attempt = t.attempt('alice', '10.0.0.9');
    if ('retryAfterSeconds' in attempt) throw new Error('refused');
    attempt.succeeded();
    for (let i = 0; i < 6; i++) expect(fail(t, 'alice', `10.0.1.${i}`)).toBeNull();
  });

  it('makes an address wait after twenty failures across accounts, and a success there does not wipe them', () => {
    const { throttle: t } = throttle();
    for (let i = 0; i < 20; i++) expect(fail(t, `user${i}`, '192.0.2.1')).toBeNull();
    const mine = t.attempt('mallory', '192.0.2.1');
    if ('retryAfterSeconds' in mine) throw new Error('refused');
    mine.succeeded();
    expect(fail(t, 'user99', '192.0.2.1')).toBeNull();
    expect(fail(t, 'user100', '192.0.2.1')).toBe(1);
    expect(fail(t, 'user100', '192.0.2.2')).toBeNull();
  });

  it('forgets failures an hour after the last one', () => {
    const { throttle: t, advance } = throttle();
    for (let i = 0; i < 6; i++) fail(t, 'alice', `10.0.0.${i}`);
    expect(fail(t, 'alice', '10.0.0.9')).toBe(1);
    advance(60 * 60_000 + 1);
    for (let i = 0; i < 6; i++) expect(fail(t, 'alice', `10.0.1.${i}`)).toBeNull();
  });

  it('keeps a bounded number of names and addresses', () => {
    const { throttle: t } = throttle();
    for (let i = 0; i < 30_000; i++) fail(t, `user${i}`, `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    expect(t.size()).toBeLessThanOrEqual(10_000);
  });
});
