// The app's HTTP server (what `npm start` runs instead of `next start`): the
// same Next.js request handler, plus one thing `next start` cannot give route
// handlers — the address the connection really comes from, in x-trisight-peer
// (overwriting whatever a client sent under that name). With AUTH_MODE=proxy,
// lib/auth trusts X-Forwarded-User only when that address is one of
// AUTH_PROXY_ADDRESSES. Plain JavaScript: it runs without a TypeScript loader.
//
//   node scripts/app-server.mjs [--dev] -p <port> -H <host>
import http from 'node:http';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const dev = process.argv.includes('--dev');
const port = Number(arg('-p', process.env.PORT ?? '3000'));
const hostname = arg('-H', process.env.HOST ?? '127.0.0.1');

// As `next start` / `next dev` set it, before Next.js (and the React build it picks) loads.
process.env.NODE_ENV = dev ? 'development' : 'production';
// Tells lib/config (TRISIGHT_PEER_HEADER) that x-trisight-peer can be believed.
process.env.TRISIGHT_PEER_HEADER = '1';
const { default: next } = await import('next');
const app = next({ dev, hostname, port, dir: process.cwd() });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((req, res) => {
  req.headers['x-trisight-peer'] = req.socket.remoteAddress ?? '';
  handle(req, res);
});
server.listen(port, hostname, () => console.log(`[trisight] app listening on ${hostname}:${port}${dev ? ' (dev)' : ''}`));
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections(); // in-flight requests get up to 5 s to finish
    setTimeout(() => process.exit(0), 5_000).unref();
  });
}
