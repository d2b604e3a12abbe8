'use client';

import { useEffect, useId, useState } from 'react';
import { api } from '@/components/api';

interface Suggestion {
  id: number;
  name: string;
  imageCount: number;
}

/** A person-folder name field that suggests existing folders as the curator types. */
export function IdentityInput({
  name,
  value,
  onChange,
  placeholder = 'person folder',
  className = '',
  label,
}: {
  name?: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  className?: string;
  label: string;
}) {
  const listId = useId();
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);

  useEffect(() => {
    const timer = setTimeout(() => {
      api<{ items: Suggestion[] }>(`/api/identities?q=${encodeURIComponent(value)}&limit=20`).then(
        (answer) => setSuggestions(answer.items),
        () => setSuggestions([]),
      );
    }, 150);
    return () => clearTimeout(timer);
  }, [value]);

  return (
    <>
      <input
        name={name}
        aria-label={label}
        list={listId}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        placeholder={placeholder}
        autoComplete="off"
        spellCheck={false}
        className={`field py-1.5 text-sm ${className}`}
      />
      <datalist id={listId}>
        {suggestions.map((s) => (
          <option key={s.id} value={s.name}>{`${s.imageCount} images`}</option>
        ))}
      </datalist>
    </>
  );
}
