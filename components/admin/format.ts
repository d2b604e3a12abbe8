import type { JobStatus, JobView } from '@/lib/schemas/responses';

export const isActive = (status: JobStatus) => status === 'queued' || status === 'running';

const units: Record<string, { unit: string; timed: boolean }> = {
  scan: { unit: 'images', timed: true },
  'import-npz': { unit: 'images', timed: true },
  // three uneven steps: a rate or an ETA from them would mislead
  search: { unit: 'steps', timed: false },
};
export const unitOf = (kind: string) => units[kind] ?? { unit: 'items', timed: true };

/** What a job's children are called on its card: a scan's embed batches, a search's tiles. */
const childNames: Record<string, string> = { 'embed-batch': 'embed batches', 'search-tile': 'tiles' };
export const childName = (kind: string | null) => (kind && childNames[kind]) ?? 'parts';

export function jobTitle(job: JobView): string {
  if (job.kind === 'scan') return `Scan · ${job.params.force ? 'full' : 'incremental'} · ${job.params.search ? 'embed + search' : 'embed only'}`;
  if (job.kind === 'search') return 'Search · pairs, outliers, merge suggestions';
  if (job.kind === 'import-npz') return 'Import · .npz embeddings';
  return job.kind;
}

/** Share of the work done, 0..100; a finished job with nothing to do is complete. */
export function percentOf(job: JobView): number {
  if (job.total > 0) return Math.min(100, Math.floor((100 * (job.done + job.failed)) / job.total));
  return job.status === 'done' ? 100 : 0;
}

export function formatDuration(seconds: number): string {
  if (seconds < 1) return 'under a second';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

export function formatRate(rate: number, unit: string): string {
  return `${rate >= 10 ? Math.round(rate) : rate.toFixed(1)} ${unit}/s`;
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay
    ? date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : date.toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

export const formatCount = (n: number) => n.toLocaleString('en');
