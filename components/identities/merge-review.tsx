'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { IdentityPairDecisionInput } from '@/lib/schemas/candidates';
import type { MergeSuggestion } from '@/lib/schemas/responses';
import { api, ApiError } from '@/components/api';
import { DecisionHistory, describeDecision, type PublicDecision } from '@/components/decision-history';
import { HelpOverlay } from '@/components/help-overlay';
import { useShortcuts } from '@/components/keys';
import { StatusBadge } from '@/components/status-badge';
import { Button } from '@/components/ui/button';
import { Kbd } from '@/components/ui/kbd';
import { Panel } from '@/components/ui/panel';

type Verdict = Omit<IdentityPairDecisionInput, 'basedOn'>;

const HELP: [string[], string][] = [
  [['1'], 'same person: merge into the left folder'],
  [['2'], 'same person: merge into the right folder'],
  [['3'], 'different persons'],
  [['u'], 'undo the latest verdict (set it open again)'],
  [['j'], 'next open suggestion'],
  [['?'], 'this help'],
];

/** The verdict controls of one merge suggestion; the evidence (children) goes between them and the history. */
export function MergeVerdict({ suggestion, nextId, children }: { suggestion: MergeSuggestion; nextId: number | null; children: React.ReactNode }) {
  const router = useRouter();
  const [decisions, setDecisions] = useState<PublicDecision[]>(suggestion.decisions);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ message: string; current?: PublicDecision | null } | null>(null);
  const [help, setHelp] = useState(false);
  const status = decisions[0]?.verdict ?? 'open';
  const { a, b } = suggestion;

  const decide = async (verdict: Verdict) => {
    if (busy) return;
    setBusy(true);
    setProblem(null);
    try {
      const decision = await api<PublicDecision>(`/api/identity-pairs/${suggestion.id}/decision`, {
        method: 'POST',
        body: { ...verdict, basedOn: decisions[0]?.id },
      });
      setDecisions((all) => [decision, ...all]);
    } catch (error) {
      const current = error instanceof ApiError && error.status === 409 ? (error.body.current as PublicDecision | null) : undefined;
      setProblem({ message: (error as Error).message, current });
    } finally {
      setBusy(false);
    }
  };

  const actions: Record<string, () => void> = {
    '1': () => void decide({ verdict: 'same', into: 'a' }),
    '2': () => void decide({ verdict: 'same', into: 'b' }),
    '3': () => void decide({ verdict: 'different' }),
    u: () => status !== 'open' && void decide({ verdict: 'open' }),
    j: () => nextId !== null && router.push(`/identities/merge/${nextId}`),
    '?': () => setHelp(true),
  };

  const keysReady = useShortcuts((event) => {
    if (event.repeat) return;
    if (help) {
      if (event.key === 'Escape' || event.key === '?') setHelp(false);
      return;
    }
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  const pressed = decisions[0]?.verdict === 'same' ? (decisions[0].side === 'b' ? '2' : '1') : decisions[0]?.verdict === 'different' ? '3' : null;
  const option = (key: string, label: React.ReactNode, tone: string) => (
    <button
      type="button"
      aria-keyshortcuts={key}
      aria-pressed={pressed === key}
      disabled={busy}
      onClick={actions[key]}
      className={`inline-flex items-center gap-2 rounded-md border bg-white px-3 py-1.5 text-sm font-medium disabled:opacity-50 dark:bg-stone-900 ${tone}`}
    >
      <Kbd>{key}</Kbd>
      {label}
    </button>
  );
  const same = 'border-amber-300 hover:bg-amber-50 aria-pressed:bg-amber-100 dark:border-amber-900 dark:hover:bg-amber-950 dark:aria-pressed:bg-amber-950';
  const different =
    'border-emerald-300 hover:bg-emerald-50 aria-pressed:bg-emerald-100 dark:border-emerald-900 dark:hover:bg-emerald-950 dark:aria-pressed:bg-emerald-950';

  return (
    <div className="space-y-3" data-testid="merge-verdict" data-keys={keysReady ? 'ready' : undefined}>
      <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Verdict">
        <span className="mr-1" data-testid="merge-status">
          <StatusBadge status={status} />
        </span>
        {option('1', <>Same person, keep “{a.name}”</>, same)}
        {option('2', <>Same person, keep “{b.name}”</>, same)}
        {option('3', 'Different persons', different)}
        <div className="ml-auto flex items-center gap-2">
          <Button variant="ghost" disabled={busy || status === 'open'} onClick={actions.u} aria-keyshortcuts="u">
            <Kbd>u</Kbd> Undo
          </Button>
          {nextId !== null && (
            <Link
              href={`/identities/merge/${nextId}`}
              className="inline-flex items-center gap-2 rounded-md px-3 py-1.5 text-sm hover:bg-stone-200/60 dark:hover:bg-stone-800"
              aria-keyshortcuts="j"
            >
              Next suggestion <Kbd>j</Kbd>
            </Link>
          )}
          <Button variant="ghost" onClick={() => setHelp(true)} aria-keyshortcuts="?">
            <Kbd>?</Kbd>
          </Button>
        </div>
      </div>
      {problem && (
        <p
          role="alert"
          className="rounded-md bg-amber-50 px-4 py-2.5 text-sm text-amber-950 ring-1 ring-amber-300 dark:bg-amber-950 dark:text-amber-100 dark:ring-amber-800"
        >
          {problem.current ? (
            <>
              <strong>Conflict:</strong> {problem.current.decidedBy} decided this suggestion first ({describeDecision(problem.current)}). Your verdict was not
              saved.{' '}
              <button type="button" className="underline" onClick={() => window.location.reload()}>
                Reload
              </button>
            </>
          ) : (
            problem.message
          )}
        </p>
      )}
      {children}
      <Panel className="px-4 py-3">
        <h2 className="mb-1.5 text-sm font-semibold text-stone-600 dark:text-stone-300">History of this suggestion</h2>
        <DecisionHistory decisions={decisions} />
      </Panel>
      {help && <HelpOverlay keys={HELP} onClose={() => setHelp(false)} />}
    </div>
  );
}
