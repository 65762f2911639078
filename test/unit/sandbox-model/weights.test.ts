import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PRESETS, validateConfig } from '../../../workers/sandbox/model/config';
import { decodeWeightFloats, weightLayout, type TensorRef } from '../../../workers/sandbox/model/weights';

test('the weight layout tiles one buffer without gaps or overlaps, every tensor 16-byte aligned (vec4 loads in gemv.wgsl)', () => {
  for (const c of Object.values(PRESETS)) {
    const L = weightLayout(c);
    const all: TensorRef[] = [L.tokEmbedding, ...L.layers.flatMap((l) => [l.attnNorm, l.wqkv, l.wo, l.mlpNorm, l.w13, l.w2]), L.finalNorm, L.lmHead];
    let end = 0;
    for (const t of all) {
      assert.equal(t.offset, end);
      assert.equal(t.offset % 4, 0);
      end += t.rows * t.cols;
    }
    assert.equal(end, L.size);
    assert.deepEqual([L.layers[0].wqkv.rows, L.layers[0].wqkv.cols], [c.dim + (2 * c.dim * c.nKvHeads) / c.nHeads, c.dim]);
    assert.deepEqual([L.layers[0].w2.rows, L.layers[0].w2.cols], [c.dim, c.hiddenDim]);
    // decode reads everything except the embedding table, of which it reads one row
    assert.equal(decodeWeightFloats(c), L.size - c.vocabSize * c.dim + c.dim);
  }
});

test('an inconsistent config is rejected with every problem named', () => {
  assert.throws(() => validateConfig({ ...PRESETS.tiny, nHeads: 3, nKvHeads: 2 }), /not a multiple of nHeads 3.*nHeads 3 is not a multiple of nKvHeads 2/);
  assert.throws(() => validateConfig({ ...PRESETS.tiny, dim: 132, nHeads: 4, nKvHeads: 4 }), /head dimension 33 must be even/);
});
