import type { PairItem } from '@/lib/schemas/responses';
import type { PairDecisionInput } from '@/lib/schemas/candidates';
import { announceDecision, api, ApiError } from '@/components/api';
import type { PublicDecision } from '@/components/decision-history';
import { bundleImageUrls, bundleLoader, type Bundle } from '@/components/pairs/bundle';
import { apiQuery, flipSort, type PairsView } from '@/components/pairs/view';

export type Verdict = Omit<PairDecisionInput, 'basedOn'>;

export interface Notice {
  kind: 'conflict' | 'error' | 'info';
  message: string;
  pairId?: number;
  /** with a conflict: the decision that was there first */
  current?: PublicDecision | null;
}

export interface ReviewSnapshot {
  pairId: number;
  bundle: Bundle | null;
  loadError: string | null;
  hasPrevious: boolean;
  hasNext: boolean;
  saving: boolean;
  canUndo: boolean;
  notice: Notice | null;
}

/** How far ahead pairs are loaded, and how many ids are fetched per list request. */
const PREFETCH_AHEAD = 3;
const LIST_CHUNK = 20;

/**
 * One curator's walk through a view of the pairs list. It keeps the ordered ids around the current
 * pair (extended from the API in both directions by keyset cursors), loads pairs and their images
 * ahead of the curator, and saves verdicts in the background: the screen moves on at once, a
 * failed save comes back as a notice, and verdicts on one pair are sent one after another so each
 * is based on the one before.
 */
export class ReviewSession {
  private ids: number[];
  private pos = 0;
  private cursors: { forward: string | null; backward: string | null };
  private extending: { forward: Promise<void> | null; backward: Promise<void> | null } = { forward: null, backward: null };
  private bundles = new Map<number, Bundle>();
  private loading = new Map<number, Promise<Bundle>>();
  private loadErrors = new Map<number, string>();
  private chains = new Map<number, Promise<unknown>>();
  private undoStack: { pairId: number; decision: Promise<PublicDecision | null> }[] = [];
  private inFlight = 0;
  private notice: Notice | null = null;
  private listeners = new Set<() => void>();
  private preloading = new Set<HTMLImageElement>();
  private fetchBundle: (id: number) => Promise<Bundle>;
  private snapshot: ReviewSnapshot;

  constructor(
    initial: Bundle,
    private view: PairsView,
    cursor: string,
    private onMove: (pairId: number) => void,
  ) {
    this.ids = [initial.pair.id];
    this.cursors = { forward: cursor, backward: cursor };
    this.bundles.set(initial.pair.id, initial);
    this.loading.set(initial.pair.id, Promise.resolve(initial));
    this.fetchBundle = bundleLoader(initial);
    this.snapshot = this.take();
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.snapshot;

  private get currentId() {
    return this.ids[this.pos];
  }

  private take(): ReviewSnapshot {
    const id = this.currentId;
    return {
      pairId: id,
      bundle: this.bundles.get(id) ?? null,
      loadError: this.loadErrors.get(id) ?? null,
      hasPrevious: this.pos > 0 || this.cursors.backward !== null,
      hasNext: this.pos < this.ids.length - 1 || this.cursors.forward !== null,
      saving: this.inFlight > 0,
      canUndo: this.undoStack.length > 0,
      notice: this.notice,
    };
  }

  private emit() {
    this.snapshot = this.take();
    this.listeners.forEach((listener) => listener());
  }

  /** Loads what the curator will need next: the pairs around the current one and more ids. */
  warm() {
    this.load(this.currentId);
    for (let step = 1; step <= PREFETCH_AHEAD; step++) {
      const id = this.ids[this.pos + step];
      if (id !== undefined) this.load(id);
    }
    if (this.pos > 0) this.load(this.ids[this.pos - 1]);
    if (this.ids.length - this.pos <= PREFETCH_AHEAD + 3) void this.extend('forward');
    if (this.pos <= 1) void this.extend('backward');
  }

  private load(id: number, fresh = false): Promise<Bundle> {
    const known = this.loading.get(id);
    if (known && !fresh) return known;
    const pending = this.fetchBundle(id).then(
      (bundle) => {
        this.bundles.set(id, bundle);
        this.loadErrors.delete(id);
        this.preload(bundleImageUrls(bundle));
        this.emit();
        return bundle;
      },
      (error: Error) => {
        this.loading.delete(id);
        this.loadErrors.set(id, error.message);
        this.emit();
        throw error;
      },
    );
    pending.catch(() => undefined);
    this.loading.set(id, pending);
    return pending;
  }

  private preload(urls: string[]) {
    for (const url of urls) {
      const image = new Image();
      // held until it settles, so the request is not dropped with the object
      this.preloading.add(image);
      image.onload = image.onerror = () => this.preloading.delete(image);
      image.src = url;
    }
  }

  private extend(direction: 'forward' | 'backward'): Promise<void> {
    const cursor = this.cursors[direction];
    if (cursor === null) return Promise.resolve();
    this.extending[direction] ??= (async () => {
      try {
        const sort = direction === 'forward' ? this.view.sort : flipSort(this.view.sort);
        const page = await api<{ items: PairItem[]; nextCursor: string | null }>(
          `/api/pairs?${apiQuery({ ...this.view, sort }, { cursor, limit: String(LIST_CHUNK) })}`,
        );
        const fresh = page.items.map((item) => item.id).filter((id) => !this.ids.includes(id));
        if (direction === 'forward') this.ids.push(...fresh);
        else {
          this.ids.unshift(...fresh.reverse());
          this.pos += fresh.length;
        }
        this.cursors[direction] = page.nextCursor;
        this.emit();
        this.warm();
      } catch {
        // the next move asks again
      } finally {
        this.extending[direction] = null;
      }
    })();
    return this.extending[direction];
  }

  private moveTo(pos: number) {
    this.pos = pos;
    this.onMove(this.currentId);
    this.emit();
    this.warm();
  }

  async next() {
    if (this.pos === this.ids.length - 1) await this.extend('forward');
    if (this.pos < this.ids.length - 1) this.moveTo(this.pos + 1);
    else this.say({ kind: 'info', message: 'That was the last pair in this view.' });
  }

  async previous() {
    if (this.pos === 0) await this.extend('backward');
    if (this.pos > 0) this.moveTo(this.pos - 1);
    else this.say({ kind: 'info', message: 'This is the first pair in this view.' });
  }

  say(notice: Notice | null) {
    this.notice = notice;
    this.emit();
  }

  /** Records a verdict on the current pair and moves on without waiting for the server. */
  decide(verdict: Verdict) {
    const id = this.currentId;
    const bundle = this.bundles.get(id);
    if (!bundle) return;
    this.bundles.set(id, { ...bundle, pair: { ...bundle.pair, status: verdict.verdict } });
    this.undoStack.push({ pairId: id, decision: this.send(id, verdict) });
    if (this.notice?.kind === 'info') this.notice = null;
    if (this.pos < this.ids.length - 1 || this.cursors.forward !== null) void this.next();
    else this.say({ kind: 'info', message: 'That was the last pair in this view.' });
  }

  /** Takes back this session's latest verdict: back to that pair, and its verdict set to open again. */
  async undo() {
    const last = this.undoStack.pop();
    if (!last) return this.say({ kind: 'info', message: 'Nothing to undo.' });
    const at = this.ids.indexOf(last.pairId);
    if (at !== -1 && at !== this.pos) this.moveTo(at);
    else this.emit();
    if (await last.decision) await this.send(last.pairId, { verdict: 'open' });
  }

  /** After a conflict or failure: the pair as the server has it now. */
  async reload(id: number) {
    this.notice = null;
    const at = this.ids.indexOf(id);
    if (at !== -1 && at !== this.pos) this.moveTo(at);
    await this.load(id, true).catch(() => undefined);
  }

  private send(id: number, verdict: Verdict): Promise<PublicDecision | null> {
    const sent = (this.chains.get(id) ?? Promise.resolve()).then(async () => {
      // read when sending, not when pressed: an earlier verdict on this pair may just have landed
      const basedOn = this.bundles.get(id)?.pair.decisions[0]?.id;
      this.inFlight++;
      this.emit();
      try {
        const decision = await api<PublicDecision>(`/api/pairs/${id}/decision`, { method: 'POST', body: { ...verdict, basedOn } });
        const bundle = this.bundles.get(id)!;
        this.bundles.set(id, { ...bundle, pair: { ...bundle.pair, status: decision.verdict, decisions: [decision, ...bundle.pair.decisions] } });
        announceDecision(decision.previousVerdict, decision.verdict);
        return decision;
      } catch (error) {
        const conflict = error instanceof ApiError && error.status === 409;
        this.notice = conflict
          ? { kind: 'conflict', pairId: id, message: (error as ApiError).message, current: (error as ApiError).body.current as PublicDecision | null }
          : { kind: 'error', pairId: id, message: `Your verdict on pair ${id} was not saved: ${(error as Error).message}.` };
        void this.load(id, true).catch(() => undefined);
        return null;
      } finally {
        this.inFlight--;
        this.emit();
      }
    });
    this.chains.set(id, sent);
    return sent;
  }
}
