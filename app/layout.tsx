import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Script from 'next/script';
import type { ReactNode } from 'react';
import { Providers } from '@/components/providers';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Trisight', template: '%s · Trisight' },
  description: 'Why was this model-serving request slow? Metrics, traces and CPU profiles, correlated.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // proxy.ts puts a fresh CSP nonce on every request; reading it renders every page per request, as nonces need.
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    // theme-init.js sets the theme class before hydration; React must not complain about it.
    <html lang="en" suppressHydrationWarning>
      <body className="min-h-screen bg-bg font-sans text-fg antialiased">
        <Script src="/theme-init.js" strategy="beforeInteractive" nonce={nonce} />
        <Script src="/zod-jitless.js" strategy="beforeInteractive" nonce={nonce} />
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
