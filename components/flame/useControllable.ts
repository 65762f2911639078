'use client';

import { useCallback, useState } from 'react';

/** Controlled when `value` is given, internal state otherwise; `onChange` fires either way. */
export function useControllable<T>(value: T | undefined, onChange: ((v: T) => void) | undefined, initial: T) {
  const [inner, setInner] = useState<T>(initial);
  const controlled = value !== undefined;
  const current = controlled ? value : inner;
  const set = useCallback(
    (v: T) => {
      if (!controlled) setInner(v);
      onChange?.(v);
    },
    [controlled, onChange],
  );
  return [current, set] as const;
}
