import { listenTo, type ChannelListener } from '@/lib/db/notifications';

/**
 * Who a token or session belongs to, remembered between requests. Every API request asks, and
 * asking Postgres would be one of the two round trips a request makes; on a loaded server
 * those round trips, not the queries, are what costs.
 *
 * Safe to remember only while told of every change: a trigger on "User" and "ApiToken" notifies
 * this channel on any write (this process's, the CLI's, a psql prompt's), which forgets everything.
 * Nothing is remembered unless the listening connection is up, a lookup that raced with a change
 * is not kept, and entries expire after a minute even so.
 */
const CHANNEL = 'facesift_users';
const LIFETIME_MS = 60_000;
const RECONNECT_MS = 1_000;

interface State {
  listener: ChannelListener | null;
  listening: boolean;
  stopped: boolean;
  generation: number;
  users: Map<string, { user: unknown; at: number }>;
}

// one per process, however many route bundles import this module
const state: State = ((globalThis as { facesiftRememberedUsers?: State }).facesiftRememberedUsers ??= {
  listener: null,
  listening: false,
  stopped: true,
  generation: 0,
  users: new Map(),
});

/** Forgets every user: after a change this process made, so its next request sees it at once. */
export function forgetUsers(): void {
  state.generation++;
  state.users.clear();
}

function connect(): void {
  if (state.stopped || state.listener) return;
  const listener: ChannelListener | null = listenTo(CHANNEL, {
    ready: () => {
      if (state.listener !== listener) return;
      forgetUsers();
      state.listening = true;
    },
    notified: () => forgetUsers(),
    lost: () => {
      if (state.listener !== listener) return;
      state.listener = null;
      state.listening = false;
      forgetUsers();
      setTimeout(connect, RECONNECT_MS).unref();
    },
  });
  state.listener = listener;
}

/** Starts remembering users (the web server does; one-off commands have nothing to gain). */
export function rememberUsers(): void {
  if (!state.stopped) return;
  state.stopped = false;
  connect();
}

export async function stopRememberingUsers(): Promise<void> {
  state.stopped = true;
  state.listening = false;
  forgetUsers();
  const listener = state.listener;
  state.listener = null;
  await listener?.end();
}

export function isRememberingUsers(): boolean {
  return state.listening;
}

/** The user under `key`, from memory while that is safe, else from `load`. Unknown keys are never kept. */
export async function rememberedUser<T>(key: string, load: () => Promise<T | null>): Promise<T | null> {
  if (!state.listening) return load();
  const known = state.users.get(key);
  if (known && Date.now() - known.at < LIFETIME_MS) return known.user as T;
  const generation = state.generation;
  const user = await load();
  if (user && state.listening && generation === state.generation) state.users.set(key, { user, at: Date.now() });
  return user;
}
