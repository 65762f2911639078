import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BOS, EOS, StreamDecoder, VOCAB_SIZE, decode, encode } from '../../../workers/sandbox/model/tokenizer';

const TEXTS = [
  'The quick brown fox jumps over the lazy dog.',
  'Grüße aus Köln — naïve café, façade, Ærø.',
  '東京は日本の首都です。',
  'Привет, мир! Γειά σου Κόσμε. שלום עולם. مرحبا بالعالم',
  'emoji 👩‍💻🚀 and flags 🇫🇷, math ∑∫√∞ ≠ ≤',
  '',
  'tabs\tnewlines\r\nand NUL \u0000 bytes',
];

test('encode → decode round-trips real UTF-8 text exactly', () => {
  for (const text of TEXTS) {
    const tokens = encode(text);
    assert.equal(tokens.length, Buffer.byteLength(text, 'utf8'));
    assert.ok(tokens.every((t) => t >= 0 && t < 256));
    assert.equal(decode(tokens), text);
  }
});

test('tokens are the UTF-8 bytes; BOS is prepended on request and special tokens decode to nothing', () => {
  assert.deepEqual(Array.from(encode('é')), [0xc3, 0xa9]);
  const t = encode('hi', { bos: true });
  assert.deepEqual(Array.from(t), [BOS, 104, 105]);
  assert.equal(decode([...t, EOS]), 'hi');
  assert.ok(BOS < VOCAB_SIZE && EOS < VOCAB_SIZE && BOS >= 256 && EOS >= 256);
});

test('the stream decoder emits a multi-byte character only when complete, and the pieces join to the text', () => {
  const text = TEXTS[4];
  const d = new StreamDecoder();
  const pieces = Array.from(encode(text), (t) => d.push(t));
  pieces.push(d.end());
  assert.equal(pieces.join(''), text);
  // '👩' is 4 bytes: three empty pieces, then the whole character
  const rocket = new StreamDecoder();
  assert.deepEqual(Array.from(encode('🚀'), (t) => rocket.push(t)), ['', '', '', '🚀']);
  assert.equal(rocket.push(EOS), '');
});

test('invalid byte sequences decode to U+FFFD instead of throwing', () => {
  assert.equal(decode([0xff, 0x41]), '\uFFFDA');
  const d = new StreamDecoder();
  d.push(0xe6);
  assert.equal(d.end(), '\uFFFD');
});
