import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/auth/SignInForm';
import { viewerFromHeaders } from '@/lib/auth';
import { safeNextPath } from '@/lib/auth/client';
import { config } from '@/lib/config';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const mode = config().AUTH_MODE;
  const next = safeNextPath((await searchParams).next);
  if (mode === 'off' || (await viewerFromHeaders(await headers()))) redirect(next);
  return (
    <main id="main" className="flex min-h-screen items-center justify-center px-4">
      <div className="flex w-full max-w-sm flex-col gap-4 rounded-lg border border-line bg-panel p-6 shadow-sm">
        <div className="flex items-center gap-2 text-lg font-bold tracking-tight">
          <span aria-hidden="true" className="inline-block h-3 w-3 rotate-45 rounded-sm bg-accent" />
          <h1>Sign in to Trisight</h1>
        </div>
        {mode === 'builtin' ? (
          <>
            <SignInForm next={next} />
            <p className="text-xs text-muted">
              No account? An admin adds you on the Users page, or on the server with <code>npm run user -- add &lt;name&gt;</code>.
            </p>
          </>
        ) : (
          <p className="text-sm text-muted">
            Sign-in is done by the reverse proxy in front of Trisight, and this request did not come through it. Open Trisight at the proxy&apos;s address.
          </p>
        )}
      </div>
    </main>
  );
}
