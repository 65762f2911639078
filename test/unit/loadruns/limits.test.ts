import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextIssues, parseModels } from '../../../lib/loadruns/limits';

test("parseModels: vLLM's and the sandbox's model lists, max_model_len when given", () => {
  // vLLM's /v1/models (vllm/entrypoints/openai/protocol.py ModelCard).
  const vllm = { object: 'list', data: [{ id: 'meta-llama/Llama-3.1-8B-Instruct', object: 'model', created: 1, owned_by: 'vllm', root: 'x', parent: null, max_model_len: 131072, permission: [] }] };
  assert.deepEqual(parseModels(vllm), { model: 'meta-llama/Llama-3.1-8B-Instruct', maxModelLen: 131072 });
  const two = { data: [{ id: 'a', max_model_len: 100 }, { id: 'b' }] };
  assert.deepEqual(parseModels(two, 'b'), { model: 'b', maxModelLen: null });
  assert.deepEqual(parseModels(two, 'missing'), { model: 'a', maxModelLen: 100 }, 'an unknown model falls back to the first, as the load generator picks');
  assert.throws(() => parseModels({ data: [] }), /lists no model/);
  assert.throws(() => parseModels('<html>'), /GET \/v1\/models/);
});

test('contextIssues names the field and the most that fits', () => {
  assert.deepEqual(contextIssues({ promptLength: { mode: 'range', min: 10, max: 192 }, maxTokens: 32 }, 256), []);
  assert.deepEqual(contextIssues({ promptLength: { mode: 'range', min: 10, max: 192 }, maxTokens: 64 }, 256), [
    { path: 'maxTokens', message: "maxTokens: a 192-token prompt + 64 output tokens exceeds the model's context of 256 tokens (one is the start token); at most 63 for this prompt length" },
  ]);
  assert.equal(contextIssues({ promptLength: { mode: 'range', min: 10, max: 300 }, maxTokens: 1 }, 256)[0].path, 'promptLength.max');
});
