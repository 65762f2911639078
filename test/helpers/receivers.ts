// The app's two telemetry receivers (POST /v1/traces, POST /ingest) behind a
// plain node:http server on 127.0.0.1, routed as Next would route them, for
// tests that point real exporters (the sandbox, the OTel SDK) at the app
// without building it. Import after DATABASE_URL is set: the routes read
// config() on first use.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Receivers {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** `path status` of every request answered so far */
  received: string[];
  stop(): Promise<void>;
}

export async function startReceivers(): Promise<Receivers> {
  const traces = (await import('../../app/v1/traces/route')).POST;
  const ingest = (await import('../../app/ingest/route')).POST;
  const received: string[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body: req.method === 'POST' ? Buffer.concat(chunks) : undefined });
    const path = new URL(request.url).pathname;
    const handler = req.method === 'POST' && path === '/v1/traces' ? traces : req.method === 'POST' && path === '/ingest' ? ingest : undefined;
    const r = handler ? await handler(request) : new Response('not found', { status: 404 });
    received.push(`${path} ${r.status}`);
    res.writeHead(r.status, Object.fromEntries(r.headers));
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
