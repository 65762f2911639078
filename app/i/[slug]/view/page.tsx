import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { LinkViewer } from '@/components/incidents/LinkViewer';
import { ThemeToggle } from '@/components/ui/ThemeToggle';
import { AuthError } from '@/lib/auth';
import { LinkGone, openLink } from '@/lib/incidents/service';

export const metadata: Metadata = { title: 'Shared view', robots: { index: false } };
export const dynamic = 'force-dynamic';

/** /i/:slug/view: the shared view, restored from the link (its URL state is in this page's query string). */
export default async function LinkViewPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  let opened: Awaited<ReturnType<typeof openLink>>;
  try {
    opened = await openLink(new Request('http://link.local/', { headers: await headers() }), slug);
  } catch (e) {
    if (e instanceof LinkGone) redirect(`/i/${slug}`); // answers 410 with the reason
    if (e instanceof AuthError) {
      return (
        <main className="mx-auto max-w-xl p-8 text-sm">
          <h1 className="mb-2 text-lg font-semibold">Sign in to open this link</h1>
          <p className="text-muted">{e.message}</p>
        </main>
      );
    }
    if ((e as { status?: number }).status === 404) notFound();
    throw e;
  }
  const { link, viewer } = opened;
  return (
    <div className="flex min-h-screen flex-col">
      <header className="border-b border-line bg-panel/95">
        <div className="mx-auto flex max-w-[1600px] items-center gap-4 px-4 py-2">
          <Link href={viewer ? '/incidents' : '#'} className="flex items-center gap-2 text-base font-bold tracking-tight">
            <span aria-hidden="true" className="inline-block h-3 w-3 rotate-45 rounded-sm bg-accent" />
            Trisight
          </Link>
          <span className="text-sm text-muted">Shared view</span>
          <span className="flex-1" />
          <ThemeToggle />
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-[1600px] flex-1 px-4 py-6">
        <LinkViewer
          link={{
            slug: link.slug,
            title: link.title,
            note: link.note,
            from: link.from,
            to: link.to,
            view: link.view,
            createdBy: link.createdBy,
            createdAt: link.createdAt,
            expiresAt: link.expiresAt,
            frozenAt: link.frozenAt,
            frozenBytes: link.frozenBytes,
            frozenOmitted: link.frozenOmitted,
            state: link.state,
            requestCount: link.requests.length,
            signedIn: viewer !== null,
          }}
        />
      </main>
    </div>
  );
}
