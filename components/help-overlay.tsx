'use client';

import { useEffect, useRef } from 'react';
import { Kbd } from '@/components/ui/kbd';

/** The keyboard shortcuts of a screen, as a modal that Esc or ? closes. */
export function HelpOverlay({ keys, onClose }: { keys: [string[], string][]; onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-stone-950/40 p-4" onClick={onClose}>
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="help-title"
        className="w-full max-w-md rounded-xl border border-stone-200 bg-white p-6 shadow-xl dark:border-stone-700 dark:bg-stone-900"
        onClick={(event) => event.stopPropagation()}
      >
        <h2 id="help-title" className="mb-4 text-lg font-semibold">
          Keyboard shortcuts
        </h2>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
          {keys.map(([combo, meaning]) => (
            <div key={meaning} className="contents">
              <dt className="flex gap-1">
                {combo.map((key) => (
                  <Kbd key={key}>{key}</Kbd>
                ))}
              </dt>
              <dd className="text-stone-700 dark:text-stone-300">{meaning}</dd>
            </div>
          ))}
        </dl>
        <button
          ref={close}
          type="button"
          onClick={onClose}
          className="mt-6 w-full rounded-md border border-stone-300 py-1.5 text-sm hover:bg-stone-100 dark:border-stone-700 dark:hover:bg-stone-800"
        >
          Close <Kbd>Esc</Kbd>
        </button>
      </div>
    </div>
  );
}
