import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSandbox, type Sandbox } from '../../../workers/sandbox/serve/index';
import { rawRequest } from '../../helpers/raw-http';

// Issue 9: the sandbox took cross-origin text/plain POST /v1/completions. Against
// the real server (tiny CPU model): what a web page can send is refused, a
// program's JSON request still works, and a rebinding Host gets nothing.

let sb: Sandbox;
before(async () => {
  sb = await startSandbox({ preset: 'tiny', backend: 'cpu', allowedHosts: ['sandbox'] });
});
after(() => sb?.close());

const body = JSON.stringify({ model: 'trisight-tiny', prompt: 'hi', max_tokens: 2 });
const post = (headers: Record<string, string>) => rawRequest(`${sb.url}/v1/completions`, { method: 'POST', headers, body });

test('what a page on another site can send is refused: no-cors text/plain, a foreign Origin, cross-site fetch metadata', async () => {
  const textPlain = await post({ 'content-type': 'text/plain;charset=UTF-8' });
  assert.equal(textPlain.status, 415);
  assert.match(JSON.parse(textPlain.body).error.message, /application\/json/);
  assert.equal((await post({ 'content-type': 'application/json', origin: 'http://evil.example' })).status, 403);
  assert.equal((await post({ 'content-type': 'application/json', origin: 'http://127.0.0.1:3000' })).status, 403, 'another port is another origin');
  assert.equal((await post({ 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' })).status, 403);
});

test('a program\'s JSON request works, by loopback name or an allowed name; a rebinding Host is refused', async () => {
  const ok = await post({ 'content-type': 'application/json' });
  assert.equal(ok.status, 200, ok.body);
  const port = new URL(sb.url).port;
  assert.equal((await post({ 'content-type': 'application/json', host: `sandbox:${port}` })).status, 200);
  const rebound = await rawRequest(`${sb.url}/metrics`, { headers: { host: `rebind.attacker.example:${port}` } });
  assert.equal(rebound.status, 403);
  assert.equal((await post({ 'content-type': 'application/json', host: `rebind.attacker.example:${port}` })).status, 403);
  assert.equal((await rawRequest(`${sb.url}/healthz`, { headers: { host: `localhost:${port}` } })).status, 200);
});
