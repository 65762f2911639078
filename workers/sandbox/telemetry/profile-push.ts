// Pushes a pprof profile to Pyroscope's /ingest (or the app's embedded
// receiver) the way @pyroscope/nodejs pushes its CPU profiles: the gzipped
// pprof as the raw body, `name=app{k=v,…}`, from/until in unix seconds. Used
// for the profiles the SDK does not make: GPU time and the heap profile with
// the KV cache split out.
import { gzipSync } from 'node:zlib';
import { pushName } from './push-name';

export { pushLabelValue, pushName } from './push-name';

export interface PushTarget {
  /** Pyroscope server (or the app); /ingest is appended */
  serverAddress: string;
  appName: string;
  labels: Record<string, string>;
  tenantID?: string;
}

/** POSTs one profile; resolves false when the server refused it or was unreachable (profiles are best effort, like the SDK's). */
export async function pushProfile(t: PushTarget, pprof: Uint8Array, fromMs: number, untilMs: number, signal?: AbortSignal): Promise<boolean> {
  const url = new URL(`${t.serverAddress.replace(/\/+$/, '')}/ingest`);
  url.searchParams.set('name', pushName(t.appName, t.labels));
  url.searchParams.set('from', String(Math.floor(fromMs / 1000)));
  url.searchParams.set('until', String(Math.max(Math.floor(fromMs / 1000), Math.ceil(untilMs / 1000))));
  url.searchParams.set('format', 'pprof');
  url.searchParams.set('spyName', 'nodespy');
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
  if (t.tenantID) headers['X-Scope-OrgID'] = t.tenantID;
  try {
    const res = await fetch(url, { method: 'POST', body: gzipSync(pprof), headers, signal: signal ?? AbortSignal.timeout(10_000) });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok;
  } catch {
    return false;
  }
}
