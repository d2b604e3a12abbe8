'use client';

import { useState } from 'react';
import { api } from '@/components/api';
import { Button } from '@/components/ui/button';
import { Panel } from '@/components/ui/panel';

export interface UserRow {
  id: number;
  name: string;
  role: 'admin' | 'curator';
  disabled: boolean;
}

/** 16 random characters a person can read out and type (no 0/O, 1/l/I). */
function randomPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from(crypto.getRandomValues(new Uint32Array(16)), (n) => alphabet[n % alphabet.length]).join('');
}

function PasswordReset({ user, onDone }: { user: UserRow; onDone: (text: string) => void }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (!open) {
    return <Button onClick={() => setOpen(true)}>Reset password</Button>;
  }
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    try {
      await api(`/api/users/${user.id}`, { method: 'PATCH', body: { password } });
      onDone(`New password for ${user.name}: ${password}`);
      setOpen(false);
      setPassword('');
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <form onSubmit={submit} className="flex flex-wrap items-center gap-2">
      <label htmlFor={`password-${user.id}`} className="sr-only">
        New password for {user.name}
      </label>
      <input
        id={`password-${user.id}`}
        value={password}
        minLength={8}
        required
        onChange={(event) => setPassword(event.target.value)}
        placeholder="new password (8+)"
        className="field w-44 py-1 font-mono text-sm"
      />
      <Button onClick={() => setPassword(randomPassword())}>Generate</Button>
      <Button type="submit">Set</Button>
      <Button variant="ghost" onClick={() => setOpen(false)}>
        cancel
      </Button>
      {error && <span className="text-sm text-red-700 dark:text-red-400">{error}</span>}
    </form>
  );
}

export function UsersAdmin({ initial, currentUserId }: { initial: UserRow[]; currentUserId: number }) {
  const [users, setUsers] = useState(initial);
  const [name, setName] = useState('');
  const [role, setRole] = useState<UserRow['role']>('curator');
  const [password, setPassword] = useState('');
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);

  const reload = async () => setUsers((await api<{ items: UserRow[] }>('/api/users')).items);
  const run = async (work: () => Promise<string | null>) => {
    try {
      const text = await work();
      await reload();
      if (text) setNotice({ ok: true, text });
    } catch (failure) {
      setNotice({ ok: false, text: (failure as Error).message });
    }
  };

  const add = (event: React.FormEvent) => {
    event.preventDefault();
    // POST /api/users updates an existing name; adding is never a quiet password reset
    if (users.some((user) => user.name === name.trim()))
      return setNotice({ ok: false, text: `${name.trim()} already exists: change their role or reset their password below.` });
    return run(async () => {
      const added = await api<UserRow & { generatedPassword?: string }>('/api/users', {
        method: 'POST',
        body: { name, role, ...(password ? { password } : {}) },
      });
      setName('');
      setPassword('');
      return added.generatedPassword ? `Added ${added.name}. Their password (shown once): ${added.generatedPassword}` : `Added ${added.name}.`;
    });
  };
  const update = (user: UserRow, change: Partial<Pick<UserRow, 'role' | 'disabled'>>, text: string) =>
    run(async () => {
      await api(`/api/users/${user.id}`, { method: 'PATCH', body: change });
      return text;
    });

  return (
    <div className="space-y-6">
      <Panel className="p-4" aria-labelledby="add-user">
        <form onSubmit={add} className="space-y-3">
          <h2 id="add-user" className="text-lg font-medium">
            Add a user
          </h2>
          <div className="flex flex-wrap items-end gap-3">
            <label className="text-sm">
              Name
              <input value={name} onChange={(event) => setName(event.target.value)} required className="field mt-1 w-48" autoComplete="off" />
            </label>
            <label className="text-sm">
              Role
              <select value={role} onChange={(event) => setRole(event.target.value as UserRow['role'])} className="field mt-1 w-36">
                <option value="curator">curator</option>
                <option value="admin">admin</option>
              </select>
            </label>
            <label className="text-sm">
              Password
              <input
                value={password}
                onChange={(event) => setPassword(event.target.value)}
                minLength={8}
                className="field mt-1 w-56 font-mono"
                placeholder="empty: generate one"
                autoComplete="new-password"
              />
            </label>
            <Button type="submit" variant="primary">
              Add user
            </Button>
          </div>
          <p className="text-sm text-stone-500 dark:text-stone-400">Curators review pairs and outliers; admins also run scans and change settings and users.</p>
        </form>
      </Panel>

      {notice && (
        <p
          role={notice.ok ? 'status' : 'alert'}
          data-testid="users-notice"
          className={`rounded-md px-3 py-2 text-sm ${notice.ok ? 'bg-emerald-50 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200' : 'bg-red-50 text-red-800 dark:bg-red-950 dark:text-red-200'}`}
        >
          {notice.text}
        </p>
      )}

      <Panel aria-labelledby="users-heading" className="p-4">
        <h2 id="users-heading" className="mb-2 text-lg font-medium">
          Users
        </h2>
        <table className="w-full text-sm" data-testid="users-table">
          <thead className="text-left text-stone-500 dark:text-stone-400">
            <tr>
              <th className="py-2 pr-6 font-medium">Name</th>
              <th className="py-2 pr-6 font-medium">Role</th>
              <th className="py-2 pr-6 font-medium">State</th>
              <th className="py-2 font-medium">Password</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => {
              const self = user.id === currentUserId;
              return (
                <tr key={user.id} className="border-t border-stone-200 align-middle dark:border-stone-800" data-testid={`user-${user.name}`}>
                  <td className="py-2 pr-6">
                    {user.name}
                    {self && <span className="ml-2 text-xs text-stone-500">(you)</span>}
                  </td>
                  <td className="py-2 pr-6">
                    <label className="sr-only" htmlFor={`role-${user.id}`}>
                      Role of {user.name}
                    </label>
                    <select
                      id={`role-${user.id}`}
                      value={user.role}
                      disabled={self}
                      title={self ? 'You cannot change your own role' : undefined}
                      onChange={(event) => update(user, { role: event.target.value as UserRow['role'] }, `${user.name} is now ${event.target.value}.`)}
                      className="field w-32 py-1"
                    >
                      <option value="curator">curator</option>
                      <option value="admin">admin</option>
                    </select>
                  </td>
                  <td className="py-2 pr-6">
                    <span className={`mr-3 ${user.disabled ? 'text-red-700 dark:text-red-400' : ''}`}>{user.disabled ? 'disabled' : 'active'}</span>
                    <Button
                      disabled={self}
                      title={self ? 'You cannot disable yourself' : undefined}
                      onClick={() =>
                        update(
                          user,
                          { disabled: !user.disabled },
                          `${user.name} is ${user.disabled ? 'active again' : 'disabled: they can no longer sign in or use their tokens'}.`,
                        )
                      }
                    >
                      {user.disabled ? 'Enable' : 'Disable'}
                    </Button>
                  </td>
                  <td className="py-2">
                    <PasswordReset user={user} onDone={(text) => setNotice({ ok: true, text })} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Panel>
    </div>
  );
}
