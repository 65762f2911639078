import http from 'node:http';
import type { AddressInfo } from 'node:net';

// A tiny HTTP server on 127.0.0.1 that replays recorded backend responses from
// test/fixtures by route and records every request, so contract tests run
// the real clients over real HTTP and can assert what was sent.

import { fixture } from './fixtures';

export { FIXTURES_DIR, fixture, fixtureJson } from './fixtures';

export interface Route {
  method?: 'GET' | 'POST';
  /** exact pathname, or a pattern tested against the pathname */
  path: string | RegExp;
  /** further condition on the query string (several routes on one path) */
  query?: (q: URLSearchParams) => boolean;
  status?: number;
  /** a fixture file to serve … */
  file?: string;
  /** … or a body built in the test (objects are sent as JSON) */
  body?: string | Buffer | object;
  contentType?: string;
  /** answer only after this many ms (timeout and cancellation tests) */
  delayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface FixtureServer {
  url: string;
  requests: RecordedRequest[];
  /** the most recent request to `pathname` (throws when there was none) */
  last(pathname: string | RegExp): RecordedRequest;
  stop(): Promise<void>;
}

function guessType(file: string): string {
  if (file.endsWith('.json')) return 'application/json';
  if (file.endsWith('.pb') || file.endsWith('.pb.gz')) return 'application/protobuf';
  return 'text/plain; charset=utf-8';
}

export async function startFixtureServer(routes: Route[]): Promise<FixtureServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push({ method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, body: Buffer.concat(chunks) });
      const route = routes.find(
        (r) => (!r.method || r.method === req.method) && (typeof r.path === 'string' ? r.path === u.pathname : r.path.test(u.pathname)) &&
          (!r.query || r.query(u.searchParams)),
      );
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`no fixture route for ${req.method} ${u.pathname}`);
        return;
      }
      let body: Buffer;
      let type = route.contentType;
      if (route.file) {
        body = fixture(route.file);
        type ??= guessType(route.file);
      } else if (Buffer.isBuffer(route.body) || typeof route.body === 'string') {
        body = Buffer.from(route.body);
        type ??= 'text/plain; charset=utf-8';
      } else {
        body = Buffer.from(JSON.stringify(route.body ?? {}));
        type ??= 'application/json';
      }
      const send = () => {
        if (!res.destroyed) res.writeHead(route.status ?? 200, { 'content-type': type, 'content-length': body.length }).end(body);
      };
      if (route.delayMs) {
        const t = setTimeout(send, route.delayMs);
        res.on('close', () => clearTimeout(t));
      } else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    last(pathname) {
      const hit = requests.findLast((r) => (typeof pathname === 'string' ? r.path === pathname : pathname.test(r.path)));
      if (!hit) throw new Error(`no request to ${pathname} was recorded (saw: ${requests.map((r) => r.path).join(', ') || 'none'})`);
      return hit;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
