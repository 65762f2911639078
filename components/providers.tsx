'use client';

import { QueryClient, QueryClientProvider, replaceEqualDeep } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { rememberRequest, requestOf } from '@/lib/api-errors';

/** React-query's structural sharing, keeping track of which API request each answer came from ("Share" reads it). */
function shareAnswers(old: unknown, next: unknown): unknown {
  const shared = replaceEqualDeep(old, next);
  const request = requestOf(next);
  if (request) rememberRequest(shared, request);
  return shared;
}

/** The app's query client settings (a shared link's page makes its own client with these). */
export function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Panels retry on their own with a Retry button; one silent retry covers a blip.
        retry: 1,
        refetchOnWindowFocus: false,
        staleTime: 15_000,
        structuralSharing: shareAnswers,
      },
    },
  });
}

export function Providers({ children }: { children: ReactNode }) {
  // One client per browser session (useState keeps it across re-renders but
  // not across server requests, so no data leaks between users).
  const [client] = useState(newQueryClient);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
