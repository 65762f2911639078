// Who is asking, and what they may do. Pure: shared by the server (lib/auth)
// and the browser (to hide what a viewer may not use; the API still refuses).

export const ROLES = ['viewer', 'editor', 'admin'] as const;
/** viewer reads; editor also fires load, edits SLOs, creates links; admin also manages users and revokes anyone's link. */
export type Role = (typeof ROLES)[number];

export interface Viewer {
  /** stable id: a user's uuid, `proxy:<user>` for an unlisted proxy user, `local` with sign-in off */
  id: string;
  /** the login; what records store as "by" */
  name: string;
  email?: string;
  role: Role;
  /** how we know: a sign-in session cookie, a trusted reverse proxy's headers, or sign-in off on loopback */
  via: 'session' | 'proxy' | 'loopback';
}

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/** Whether `role` includes everything `needed` may do. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** With sign-in off (allowed only while the app listens on loopback) everyone who can connect is this admin. */
export const LOCAL_ADMIN: Viewer = Object.freeze({ id: 'local', name: 'local', role: 'admin', via: 'loopback' });
