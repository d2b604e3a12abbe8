import type { DecisionView } from '@/lib/schemas/responses';
import type { ResolvedBy as ResolvedByView } from '@/lib/schemas/review';
import { StatusBadge } from '@/components/status-badge';

export type PublicDecision = DecisionView;

/** What a verdict meant, in the curator's words. */
export function describeDecision(d: PublicDecision): string {
  if (d.verdict === 'open') return 'reopened';
  if (d.verdict === 'mislabeled' && d.side === 'merge') return `same person: ${d.fromIdentity} and ${d.toIdentity} are one folder`;
  if (d.verdict === 'mislabeled' && d.misfiledHash && d.side) return `${d.side.toUpperCase()} is in the wrong folder (${d.fromIdentity} → ${d.toIdentity})`;
  if (d.verdict === 'mislabeled') return d.toIdentity ? `belongs to ${d.toIdentity}, not ${d.fromIdentity}` : `not ${d.fromIdentity}, nor any known person`;
  if (d.verdict === 'duplicate') return `duplicate: keep ${d.side?.toUpperCase() ?? 'one'}`;
  if (d.verdict === 'same') return d.intoIdentity ? `same person, merge into ${d.intoIdentity}` : 'same person';
  if (d.verdict === 'different') return 'different persons';
  return 'looks fine';
}

const time = (iso: string) => new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });

/** The audit trail of one subject, newest first. */
export function DecisionHistory({ decisions }: { decisions: PublicDecision[] }) {
  if (decisions.length === 0)
    return (
      <p className="text-sm text-stone-500" data-testid="history">
        No decisions yet.
      </p>
    );
  return (
    <ol className="space-y-1.5 text-sm" data-testid="history">
      {decisions.map((d) => (
        <li key={d.id} className="flex flex-wrap items-center gap-x-2 gap-y-0.5" data-testid="history-entry">
          <StatusBadge status={d.verdict} />
          <span>{describeDecision(d)}</span>
          <span className="text-stone-500">
            by <span className="font-medium text-stone-700 dark:text-stone-300">{d.decidedBy}</span> · <time dateTime={d.decidedAt}>{time(d.decidedAt)}</time>
            {d.previousVerdict !== 'open' && ` · was ${d.previousVerdict}`}
          </span>
        </li>
      ))}
    </ol>
  );
}

/** A verdict this subject inherits from another that explains it (see the review queue's propagation). */
export function ResolvedBy({ resolved }: { resolved: ResolvedByView | null }) {
  if (!resolved) return null;
  return (
    <p className="mb-2 flex flex-wrap items-center gap-2 text-sm" data-testid="resolved-by">
      <StatusBadge status={resolved.verdict} />
      <span>{resolved.reason}</span>
      {resolved.decision && (
        <span className="text-stone-500">
          · <time dateTime={resolved.decision.decidedAt}>{time(resolved.decision.decidedAt)}</time>
        </span>
      )}
    </p>
  );
}
