/**
 * Backoff for password sign-in, per account and per client address. Each may fail a few times
 * freely; after that each further attempt must wait twice as long as the one before (from a second
 * up to fifteen minutes), and attempts made while waiting are refused before any password is
 * checked, so guessing costs the guesser time and the server nothing. An attempt counts as failed
 * from the moment it starts, so a burst sent at once cannot outrun the count.
 *
 * In memory, per web server process: a restart forgives everyone, which a guesser cannot cause.
 */
const LIMITS = { account: 5, address: 20 } as const;
const FIRST_WAIT_MS = 1_000;
const LONGEST_WAIT_MS = 15 * 60_000;
const FORGOTTEN_AFTER_MS = 60 * 60_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  failures: number;
  waitUntil: number;
  last: number;
}

export type SignInAttempt = { retryAfterSeconds: number } | { succeeded(): void };

export class SignInThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Either how long to wait (nothing is counted), or a started attempt, failed unless it succeeds. */
  attempt(account: string, address: string): SignInAttempt {
    const now = this.now();
    const keys = [
      [`account:${account}`, LIMITS.account],
      [`address:${address}`, LIMITS.address],
    ] as const;
    const waitUntil = Math.max(...keys.map(([key]) => this.entry(key, now)?.waitUntil ?? 0));
    if (waitUntil > now) return { retryAfterSeconds: Math.ceil((waitUntil - now) / 1000) };
    for (const [key, free] of keys) this.fail(key, free, now);
    return {
      succeeded: () => {
        this.entries.delete(keys[0][0]);
        // an address's other failures stay: signing into one account must not clear guesses at others
        const entry = this.entries.get(keys[1][0]);
        if (entry && --entry.failures <= LIMITS.address) entry.waitUntil = 0;
      },
    };
  }

  size(): number {
    return this.entries.size;
  }

  private entry(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && now - entry.last > FORGOTTEN_AFTER_MS) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private fail(key: string, free: number, now: number) {
    const entry = this.entry(key, now) ?? { failures: 0, waitUntil: 0, last: now };
    entry.failures++;
    entry.last = now;
    if (entry.failures > free) entry.waitUntil = now + Math.min(FIRST_WAIT_MS * 2 ** (entry.failures - free - 1), LONGEST_WAIT_MS);
    // the most recent last, so that when full the longest quiet go first
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }
}

// one per process, however many route bundles import this module
export const signInThrottle: SignInThrottle = ((globalThis as { facesiftSignInThrottle?: SignInThrottle }).facesiftSignInThrottle ??= new SignInThrottle());
