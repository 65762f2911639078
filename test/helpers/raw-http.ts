// One HTTP request with exactly the headers given (Host and Origin included,
// which fetch() sets or refuses by itself): what an attacker's client sends.
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function rawRequest(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer; localAddress?: string } = {}): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, localAddress: opts.localAddress, agent: false, path: u.pathname + u.search, method: opts.method ?? 'GET', headers: opts.headers, setHost: !opts.headers || !Object.keys(opts.headers).some((k) => k.toLowerCase() === 'host') },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(60_000, () => req.destroy(new Error(`${opts.method ?? 'GET'} ${url} timed out`)));
    req.end(opts.body);
  });
}
