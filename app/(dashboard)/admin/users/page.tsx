import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { UserAdmin } from '@/components/auth/UserAdmin';
import { EmptyState, PageHeader } from '@/components/ui/EmptyState';
import { viewerFromHeaders } from '@/lib/auth';
import { config } from '@/lib/config';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage() {
  const viewer = await viewerFromHeaders(await headers());
  const mode = config().AUTH_MODE;
  if (mode === 'off') {
    return (
      <EmptyState title="Sign-in is off">
        <p>Trisight listens on this machine only, and everyone who can reach it is an admin. To have users and roles, start it with AUTH_MODE=builtin (or AUTH_MODE=proxy behind a reverse proxy) and create the first admin with <code>npm run user -- add &lt;name&gt; --role admin</code>.</p>
      </EmptyState>
    );
  }
  if (viewer?.role !== 'admin') {
    return (
      <EmptyState title="Users are managed by admins">
        <p>You are signed in as {viewer?.name ?? 'nobody'}{viewer ? ` (${viewer.role})` : ''}. Ask an admin to change your role.</p>
      </EmptyState>
    );
  }
  return (
    <>
      <PageHeader
        title="Users"
        description={
          mode === 'builtin'
            ? 'Who can sign in, and what they may do: viewers read; editors also fire load, edit SLOs and create links; admins also manage users and revoke anyone\'s link.'
            : 'Your reverse proxy says who people are; here you give them roles. People not listed get the AUTH_PROXY_DEFAULT_ROLE role.'
        }
      />
      <UserAdmin selfId={viewer.id} passwords={mode === 'builtin'} />
    </>
  );
}
