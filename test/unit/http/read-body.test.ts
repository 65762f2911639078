import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BodyRefused, mediaType, readBody, readJsonBody } from '../../../lib/http/read-body';

/** A POST whose body streams in `chunks`, with no Content-Length (as a chunked upload arrives). */
function streamed(chunks: Uint8Array[]): Request {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk);
      c.close();
    },
  });
  return new Request('http://127.0.0.1/x', { method: 'POST', body, duplex: 'half' } as RequestInit);
}

async function refusal(p: Promise<unknown>): Promise<BodyRefused> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof BodyRefused, `expected BodyRefused, got ${e}`);
    return e;
  }
  assert.fail('expected a refusal');
}

test('readBody: the bytes as sent, one chunk or many', async () => {
  const one = await readBody(new Request('http://127.0.0.1/x', { method: 'POST', body: 'hello' }), 16);
  assert.equal(new TextDecoder().decode(one), 'hello');
  const many = await readBody(streamed([new Uint8Array([1, 2]), new Uint8Array([3]), new Uint8Array([4, 5])]), 5);
  assert.deepEqual([...many], [1, 2, 3, 4, 5]);
  assert.equal((await readBody(new Request('http://127.0.0.1/x', { method: 'POST' }), 1)).length, 0);
});

test('readBody: 413 from a declared Content-Length before reading, and while streaming past the limit', async () => {
  const declared = await refusal(readBody(new Request('http://127.0.0.1/x', { method: 'POST', body: 'x'.repeat(10), headers: { 'content-length': '10' } }), 9));
  assert.equal(declared.status, 413);
  assert.match(declared.message, /body of 10 bytes exceeds the limit of 9 bytes/);
  let pulled = 0;
  // An endless upload: reading must stop at the limit, not run on.
  const endless = new ReadableStream<Uint8Array>({
    pull(c) {
      pulled++;
      c.enqueue(new Uint8Array(1024));
    },
  });
  const cut = await refusal(readBody(new Request('http://127.0.0.1/x', { method: 'POST', body: endless, duplex: 'half' } as RequestInit), 4096));
  assert.equal(cut.status, 413);
  assert.match(cut.message, /exceeds the limit of 4096 bytes/);
  assert.ok(pulled <= 8, `read ${pulled} chunks of an endless body`);
});

test('readJsonBody: the parsed value; 400 naming the problem when it is not JSON', async () => {
  assert.deepEqual(await readJsonBody(new Request('http://127.0.0.1/x', { method: 'POST', body: '{"a":[1]}' }), 64), { a: [1] });
  const bad = await refusal(readJsonBody(new Request('http://127.0.0.1/x', { method: 'POST', body: '{"a":' }), 64));
  assert.equal(bad.status, 400);
  assert.equal(bad.message, 'the body must be JSON');
  assert.equal((await refusal(readJsonBody(new Request('http://127.0.0.1/x', { method: 'POST', body: '[1,2,3]' }), 4))).status, 413);
});

test('mediaType: lower-case, without parameters', () => {
  assert.equal(mediaType('Application/JSON; charset=utf-8'), 'application/json');
  assert.equal(mediaType(null), '');
});
