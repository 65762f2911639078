// A push to Pyroscope's /ingest (or the app's embedded receiver) as
// @pyroscope/nodejs makes it: `name=app{k=v,…}`, from/until in unix seconds,
// the pprof as the raw body. No Node APIs: the sandbox (which gzips the body,
// profile-push.ts) and the browser run push the same way.

/** A label value as Pyroscope's push name can carry it: no separators, bounded. */
export function pushLabelValue(v: string): string {
  return v.replace(/[{},="\n\r]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 128);
}

/** `app{k=v,…}`, the push name Pyroscope parses into service_name and labels. */
export function pushName(appName: string, labels: Record<string, string>): string {
  const body = Object.entries(labels)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}=${pushLabelValue(v)}`)
    .join(',');
  return `${appName}{${body}}`;
}

export interface PushTarget {
  /** Pyroscope server (or the app); /ingest is appended. '' pushes to the page's own origin. */
  serverAddress: string;
  appName: string;
  labels: Record<string, string>;
  tenantID?: string;
  /** more request headers (the app's page adds its CSRF token, which lets a signed-in editor's browser run push) */
  headers?: Record<string, string>;
}

/** The push URL of one profile covering [fromMs, untilMs]. */
export function pushUrl(t: PushTarget, fromMs: number, untilMs: number): string {
  const q = new URLSearchParams({
    name: pushName(t.appName, t.labels),
    from: String(Math.floor(fromMs / 1000)),
    until: String(Math.max(Math.floor(fromMs / 1000), Math.ceil(untilMs / 1000))),
    format: 'pprof',
    spyName: 'nodespy',
  });
  return `${t.serverAddress.replace(/\/+$/, '')}/ingest?${q}`;
}

/** POSTs one profile body (pprof, gzipped or not); resolves false when refused or unreachable (profiles are best effort, like the SDK's). */
export async function postProfile(t: PushTarget, body: Uint8Array, fromMs: number, untilMs: number, signal?: AbortSignal): Promise<boolean> {
  const headers: Record<string, string> = { ...t.headers, 'content-type': 'application/octet-stream' };
  if (t.tenantID) headers['X-Scope-OrgID'] = t.tenantID;
  try {
    const res = await fetch(pushUrl(t, fromMs, untilMs), { method: 'POST', body: body as Uint8Array<ArrayBuffer>, headers, signal: signal ?? AbortSignal.timeout(10_000) });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok;
  } catch {
    return false;
  }
}
