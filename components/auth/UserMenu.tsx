'use client';

import Link from 'next/link';
import { useState } from 'react';
import { describeError, fetchJson } from '@/lib/api-errors';
import { useViewer } from './viewer';

/** The header's "who am I": name and role, Users for admins, Sign out with built-in sign-in. Nothing with sign-in off. */
export function UserMenu() {
  const { viewer, mode } = useViewer();
  const [error, setError] = useState<string | null>(null);
  if (mode === 'off' || !viewer) return null;
  const signOut = async () => {
    try {
      await fetchJson('/api/auth/signout', { method: 'POST' });
      window.location.assign('/signin');
    } catch (e) {
      setError(describeError(e).text);
    }
  };
  return (
    <div className="flex items-center gap-2 text-sm" data-testid="user-menu">
      <span className="text-muted">
        <span className="font-medium text-fg">{viewer.name}</span> · {viewer.role}
      </span>
      {viewer.role === 'admin' && (
        <Link href="/admin/users" className="rounded-md px-2 py-1 text-muted hover:bg-panel-2 hover:text-fg">
          Users
        </Link>
      )}
      {mode === 'builtin' && (
        <button type="button" onClick={signOut} className="rounded-md px-2 py-1 text-muted hover:bg-panel-2 hover:text-fg">
          Sign out
        </button>
      )}
      {error && (
        <span role="alert" className="text-danger">
          {error}
        </span>
      )}
    </div>
  );
}
