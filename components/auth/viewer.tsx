'use client';

// Who is looking, for the page: hides controls the viewer's role may not use
// (the API refuses them anyway). The dashboard layout provides it from the
// server; without a provider (component tests) it is the local admin of AUTH_MODE=off.
import { createContext, useContext, type ReactNode } from 'react';
import { LOCAL_ADMIN, roleAtLeast, type Role, type Viewer } from '@/lib/auth/roles';

export type AuthMode = 'off' | 'builtin' | 'proxy';

interface ViewerState {
  viewer: Viewer | null;
  mode: AuthMode;
}

const ViewerContext = createContext<ViewerState>({ viewer: LOCAL_ADMIN, mode: 'off' });

export function ViewerProvider({ viewer, mode, children }: ViewerState & { children: ReactNode }) {
  return <ViewerContext.Provider value={{ viewer, mode }}>{children}</ViewerContext.Provider>;
}

export function useViewer(): ViewerState {
  return useContext(ViewerContext);
}

/** Whether the viewer holds `role` (or a larger one). */
export function useCan(role: Role): boolean {
  const { viewer } = useViewer();
  return !!viewer && roleAtLeast(viewer.role, role);
}

/** What to say where a control is hidden for lack of a role. */
export function roleNeeded(role: Role, what: string): string {
  return `You can look around, but ${what} needs the ${role} role: ask an admin.`;
}
