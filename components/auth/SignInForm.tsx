'use client';

import { useId, useState } from 'react';
import { describeError, fetchJson } from '@/lib/api-errors';
import { Button } from '@/components/ui/Button';

const input = 'h-9 w-full rounded-md border border-line bg-bg px-2 text-sm focus-visible:outline-2 focus-visible:outline-focus';

/** Name and password; on success a full navigation to `next`, so the server renders the page for the signed-in user. */
export function SignInForm({ next }: { next: string }) {
  const uid = useId();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await fetchJson('/api/auth/signin', { method: 'POST', body: JSON.stringify({ name, password }) });
      window.location.assign(next);
    } catch (err) {
      setError(describeError(err).text);
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="flex flex-col gap-3" aria-describedby={error ? `${uid}-error` : undefined}>
      <div className="flex flex-col gap-1">
        <label htmlFor={`${uid}-name`} className="text-xs font-medium">
          Name
        </label>
        <input id={`${uid}-name`} name="username" autoComplete="username" required value={name} onChange={(e) => setName(e.target.value)} className={input} />
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor={`${uid}-password`} className="text-xs font-medium">
          Password
        </label>
        <input id={`${uid}-password`} name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} className={input} />
      </div>
      {error && (
        <p id={`${uid}-error`} role="alert" className="text-sm text-danger">
          {error}
        </p>
      )}
      <Button type="submit" variant="primary" disabled={busy || !name || !password}>
        {busy ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
