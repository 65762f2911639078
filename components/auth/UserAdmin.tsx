'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { describeError, fetchJson } from '@/lib/api-errors';
import { ROLES, type Role } from '@/lib/auth/roles';
import type { UserView } from '@/lib/auth/users';
import { Button } from '@/components/ui/Button';
import { Panel } from '@/components/ui/Panel';

const input = 'h-8 rounded-md border border-line bg-bg px-2 text-sm focus-visible:outline-2 focus-visible:outline-focus';
const KEY = ['users'] as const;

function useUsers() {
  return useQuery({ queryKey: KEY, queryFn: ({ signal }) => fetchJson<{ users: UserView[] }>('/api/users', { signal }) });
}

function AddUser({ passwords }: { passwords: boolean }) {
  const uid = useId();
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const add = useMutation({
    mutationFn: () =>
      fetchJson<UserView>('/api/users', { method: 'POST', body: JSON.stringify({ name, email: email || null, role, ...(passwords ? { password } : {}) }) }),
    onSuccess: () => {
      setName('');
      setEmail('');
      setPassword('');
      void qc.invalidateQueries({ queryKey: KEY });
    },
  });
  const field = (id: string, label: string, el: React.ReactNode) => (
    <div className="flex flex-col gap-1">
      <label htmlFor={`${uid}-${id}`} className="text-xs font-medium">
        {label}
      </label>
      {el}
    </div>
  );
  return (
    <Panel title="Add a user" testId="add-user">
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        {field('name', passwords ? 'Name (login)' : 'Name (as the proxy sends it)', <input id={`${uid}-name`} value={name} onChange={(e) => setName(e.target.value)} required className={input} />)}
        {field('email', 'Email (optional)', <input id={`${uid}-email`} type="email" value={email} onChange={(e) => setEmail(e.target.value)} className={input} />)}
        {field(
          'role',
          'Role',
          <select id={`${uid}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)} className={input}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>,
        )}
        {passwords &&
          field('password', 'Password (≥ 10 characters)', <input id={`${uid}-password`} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required className={input} />)}
        <Button type="submit" variant="primary" disabled={add.isPending || !name}>
          {add.isPending ? 'Adding…' : 'Add user'}
        </Button>
        {add.error && (
          <p role="alert" className="basis-full text-sm text-danger">
            Could not add the user: {describeError(add.error).text}
          </p>
        )}
      </form>
    </Panel>
  );
}

function UserRow({ user, self, passwords }: { user: UserView; self: boolean; passwords: boolean }) {
  const qc = useQueryClient();
  const change = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      body.remove ? fetchJson(`/api/users/${user.id}`, { method: 'DELETE' }) : fetchJson<UserView>(`/api/users/${user.id}`, { method: 'PATCH', body: JSON.stringify(body) }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: KEY }),
  });
  const newPassword = () => {
    const p = window.prompt(`New password for ${user.name} (at least 10 characters; their sessions end):`);
    if (p) change.mutate({ password: p });
  };
  return (
    <tr className="border-t border-line" data-testid={`user-${user.name}`}>
      <td className="py-2 pr-3 font-medium">
        {user.name}
        {self && <span className="ml-1 text-xs text-muted">(you)</span>}
      </td>
      <td className="py-2 pr-3 text-muted">{user.email ?? '—'}</td>
      <td className="py-2 pr-3">
        <select aria-label={`Role of ${user.name}`} value={user.role} onChange={(e) => change.mutate({ role: e.target.value })} className={input} disabled={change.isPending}>
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </td>
      <td className="py-2 pr-3">{user.disabled ? <span className="text-danger">disabled</span> : passwords && !user.hasPassword ? <span className="text-muted">no password</span> : 'active'}</td>
      <td className="flex flex-wrap gap-2 py-2">
        <Button size="sm" onClick={() => change.mutate({ disabled: !user.disabled })} disabled={change.isPending}>
          {user.disabled ? 'Enable' : 'Disable'}
        </Button>
        {passwords && (
          <Button size="sm" onClick={newPassword} disabled={change.isPending}>
            Set password
          </Button>
        )}
        <Button size="sm" variant="danger" onClick={() => window.confirm(`Remove ${user.name}? Their sessions end.`) && change.mutate({ remove: true })} disabled={change.isPending}>
          Remove
        </Button>
        {change.error && (
          <span role="alert" className="text-sm text-danger">
            {describeError(change.error).text}
          </span>
        )}
      </td>
    </tr>
  );
}

/** The admin's user list: roles, disable/enable, new password, remove; and a form to add someone. */
export function UserAdmin({ selfId, passwords }: { selfId: string; passwords: boolean }) {
  const users = useUsers();
  const list = users.data?.users ?? [];
  return (
    <div className="flex flex-col gap-6">
      <AddUser passwords={passwords} />
      <Panel title="Users" testId="users" loading={users.isPending} error={users.error} onRetry={() => void users.refetch()} empty={!list.length && 'No users yet: add one above.'}>
        <table className="w-full text-left text-sm">
          <thead>
            <tr className="text-xs text-muted">
              <th className="pb-2 font-medium">Name</th>
              <th className="pb-2 font-medium">Email</th>
              <th className="pb-2 font-medium">Role</th>
              <th className="pb-2 font-medium">State</th>
              <th className="pb-2 font-medium">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.map((u) => (
              <UserRow key={u.id} user={u} self={u.id === selfId} passwords={passwords} />
            ))}
          </tbody>
        </table>
      </Panel>
    </div>
  );
}
