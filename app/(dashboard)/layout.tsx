import { headers } from 'next/headers';
import Link from 'next/link';
import { Suspense, type ReactNode } from 'react';
import { UserMenu } from '@/components/auth/UserMenu';
import { ViewerProvider } from '@/components/auth/viewer';
import { NavLinks, NavLinksFallback } from '@/components/shell/NavLinks';
import { TimeRangeSlot } from '@/components/time-range/TimeRangeSlot';
import { ThemeToggle } from '@/components/ui/ThemeToggle';
import { viewerFromHeaders } from '@/lib/auth';
import { config } from '@/lib/config';

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  // proxy.ts already sent anyone not signed in to /signin; this says who, for the controls they may use.
  const viewer = await viewerFromHeaders(await headers());
  return (
    <ViewerProvider viewer={viewer} mode={config().AUTH_MODE}>
      <div className="flex min-h-screen flex-col">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:z-[100] focus:rounded-md focus:bg-accent focus:px-3 focus:py-2 focus:text-accent-fg"
        >
          Skip to content
        </a>
        <header className="sticky top-0 z-40 border-b border-line bg-panel/95 backdrop-blur">
          <div className="mx-auto flex max-w-[1600px] flex-wrap items-center gap-x-4 gap-y-2 px-4 py-2">
            <Link href="/sandbox" className="flex items-center gap-2 text-base font-bold tracking-tight">
              <span aria-hidden="true" className="inline-block h-3 w-3 rotate-45 rounded-sm bg-accent" />
              Trisight
            </Link>
            <nav aria-label="Main" className="min-w-0 flex-1">
              <Suspense fallback={<NavLinksFallback />}>
                <NavLinks />
              </Suspense>
            </nav>
            <div className="flex items-center gap-2">
              <Suspense fallback={null}>
                <TimeRangeSlot />
              </Suspense>
              <ThemeToggle />
              <UserMenu />
            </div>
          </div>
        </header>
        <main id="main" tabIndex={-1} className="mx-auto w-full max-w-[1600px] flex-1 px-4 py-6 focus:outline-none">
          {children}
        </main>
      </div>
    </ViewerProvider>
  );
}
