import { useEffect, useEffectEvent, useState } from 'react';

/** A key press meant for a text field or with a modifier is not a shortcut. */
export function isTyping(event: KeyboardEvent): boolean {
  if (event.ctrlKey || event.metaKey || event.altKey) return true;
  const target = event.target as HTMLElement | null;
  return !!target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

/**
 * A screen's keyboard shortcuts, ignoring keys typed into fields. Answers whether they are live
 * yet (after hydration), which the screen shows as data-keys="ready" for tests and scripts.
 */
export function useShortcuts(handler: (event: KeyboardEvent) => void): boolean {
  const onKey = useEffectEvent((event: KeyboardEvent) => {
    if (!isTyping(event)) handler(event);
  });
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onKey(event);
    window.addEventListener('keydown', listener);
    setReady(true);
    return () => window.removeEventListener('keydown', listener);
  }, []);
  return ready;
}
