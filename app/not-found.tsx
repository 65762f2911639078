import Link from 'next/link';

/** Any path the app does not serve. */
export default function NotFound() {
  return (
    <main className="mx-auto flex min-h-screen max-w-2xl flex-col items-start justify-center gap-3 px-4" data-testid="not-found">
      <p className="text-sm font-medium text-muted">404</p>
      <h1 className="text-xl font-semibold">This page does not exist</h1>
      <p className="text-sm text-muted">The address may be mistyped, or the page has moved.</p>
      <Link href="/sandbox" className="mt-2 inline-flex h-8 items-center rounded-md bg-accent px-3 text-sm font-medium text-accent-fg hover:opacity-90">
        Go to the Sandbox
      </Link>
    </main>
  );
}
