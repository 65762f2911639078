// AUTH_MODE=proxy, pure: who a trusted reverse proxy (oauth2-proxy and the
// like) says the request is from. X-Forwarded-User / X-Forwarded-Email are
// believed only when the connection itself comes from one of
// AUTH_PROXY_ADDRESSES — an address scripts/app-server.mjs puts in
// x-trisight-peer from the socket, which no client can forge.
import type { BlockList } from 'node:net';
import { isIP } from 'node:net';

export const PEER_HEADER = 'x-trisight-peer';

export interface ProxyIdentity {
  name: string;
  email?: string;
}

export interface ProxyPolicy {
  /** AUTH_PROXY_ADDRESSES */
  list: BlockList;
  /** whether x-trisight-peer was set by our server (TRISIGHT_PEER_HEADER) */
  peerHeaderTrusted: boolean;
}

/** `::ffff:10.0.0.5` (IPv4 on a dual-stack socket) → `10.0.0.5`. */
export function normalizePeer(address: string): string {
  const a = address.trim();
  const m = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(a);
  return m ? m[1] : a;
}

export function fromTrustedProxy(headers: Headers, p: ProxyPolicy): boolean {
  if (!p.peerHeaderTrusted) return false;
  const peer = normalizePeer(headers.get(PEER_HEADER) ?? '');
  const family = isIP(peer);
  return family !== 0 && p.list.check(peer, family === 6 ? 'ipv6' : 'ipv4');
}

const PRINTABLE = /^[\x21-\x7e][\x20-\x7e]{0,255}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/** The proxy's user, or null when the request did not come through a trusted proxy or names nobody. */
export function proxyIdentity(headers: Headers, p: ProxyPolicy): ProxyIdentity | null {
  if (!fromTrustedProxy(headers, p)) return null;
  const user = headers.get('x-forwarded-user')?.trim() ?? '';
  const email = headers.get('x-forwarded-email')?.trim() ?? '';
  const okEmail = EMAIL.test(email) ? email : undefined;
  if (PRINTABLE.test(user)) return { name: user, ...(okEmail ? { email: okEmail } : {}) };
  return okEmail ? { name: okEmail, email: okEmail } : null;
}
