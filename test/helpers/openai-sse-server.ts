// A small but real OpenAI-compatible completions server on 127.0.0.1 for tests of
// clients (the load generator): it streams one SSE chunk per token with a set delay,
// reports usage, and records every request it got. Not a model: the text is filler.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  traceparent?: string;
  body: Record<string, unknown>;
}

export interface OpenAiSseServer {
  url: string;
  received: ReceivedRequest[];
  /** the most completion streams open at once */
  maxActive(): number;
  stop(): Promise<void>;
}

export interface OpenAiSseOptions {
  model?: string;
  /** delay before each streamed token, ms */
  tokenDelayMs?: number;
  /** a status to answer instead of streaming (e.g. 429), per request */
  fail?: (body: Record<string, unknown>, n: number) => number | undefined;
  /** write this raw SSE data line instead of the n-th request's first token */
  corrupt?: (n: number) => string | undefined;
}

export async function startOpenAiSseServer(opts: OpenAiSseOptions = {}): Promise<OpenAiSseServer> {
  const model = opts.model ?? 'tiny-test';
  const received: ReceivedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let active = 0;
  let maxActive = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v1/models') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ object: 'list', data: [{ id: model, object: 'model' }] }));
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/completions') {
      res.statusCode = 404;
      res.end();
      return;
    }
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      const n = received.push({ traceparent: req.headers.traceparent as string | undefined, body });
      const status = opts.fail?.(body, n - 1);
      if (status) {
        res.statusCode = status;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ error: { message: `refused with ${status}` } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      active++;
      maxActive = Math.max(maxActive, active);
      res.on('close', () => active--);
      const bad = opts.corrupt?.(n - 1);
      if (bad !== undefined) {
        res.end(`data: ${bad}\n\n`);
        return;
      }
      const maxTokens = Number(body.max_tokens ?? 16);
      const promptTokens = Buffer.byteLength(String(body.prompt ?? ''));
      let sent = 0;
      const tick = () => {
        if (res.destroyed) return;
        if (sent < maxTokens) {
          sent++;
          res.write(`data: ${JSON.stringify({ id: 'cmpl-1', object: 'text_completion', model, choices: [{ index: 0, text: ' tok', finish_reason: null }] })}\n\n`);
          const t = setTimeout(tick, opts.tokenDelayMs ?? 2);
          timers.add(t);
          return;
        }
        res.write(`data: ${JSON.stringify({ id: 'cmpl-1', object: 'text_completion', model, choices: [], usage: { prompt_tokens: promptTokens, completion_tokens: sent, total_tokens: promptTokens + sent } })}\n\n`);
        res.end('data: [DONE]\n\n');
      };
      const t = setTimeout(tick, opts.tokenDelayMs ?? 2);
      timers.add(t);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    maxActive: () => maxActive,
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
