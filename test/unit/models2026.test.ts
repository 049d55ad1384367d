/** 2026 models from their published config.json: parameter counts against the model cards, KV by hand. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findGpu } from '../../src/core/catalog/gpus.ts';
import { findModel } from '../../src/core/catalog/models.ts';
import { kvLayout, requestKvBytes } from '../../src/core/sizing/kvCache.ts';
import { countParameters } from '../../src/core/sizing/parameters.ts';
import { estimateServingMemory, GIB, vllmDefaults } from '../../src/core/sizing/servingMemory.ts';

const arch = (id: string) => {
  const m = findModel(id);
  assert.ok(m, `${id} is in the catalog`);
  return m.architecture;
};
const billions = (id: string) => countParameters(arch(id)).total / 1e9;
const within = (actual: number, expected: number, relative: number, what: string) =>
  assert.ok(Math.abs(actual - expected) / expected <= relative, `${what}: ${actual.toFixed(2)} vs ${expected}`);

describe('parameter counts against the model cards', () => {
  const cards: [string, number, number][] = [
    ['meta-llama/Llama-4-Scout-17B-16E-Instruct', 109, 0.02], // Meta: 109B total, 17B active
    ['meta-llama/Llama-4-Maverick-17B-128E-Instruct', 400, 0.02], // 400B total
    ['deepseek-ai/DeepSeek-V3.1', 671, 0.01], // 671B (+ the MTP module)
    ['deepseek-ai/DeepSeek-R1-0528', 671, 0.01],
    ['deepseek-ai/DeepSeek-V3.2-Exp', 671, 0.01],
    ['moonshotai/Kimi-K2-Instruct', 1040, 0.02], // Moonshot: 1T total (1.04T), 32B activated
    ['zai-org/GLM-4.5', 355, 0.02], // Z.ai: 355B total (with the MTP layer), 32B active
    ['Qwen/Qwen3-Next-80B-A3B-Instruct', 80, 0.02], // 80B total, 3B activated
    ['mistralai/Mistral-Small-3.1-24B-Instruct-2503', 24, 0.02], // 24B with the vision encoder
    ['mistralai/Mistral-Small-24B-Instruct-2501', 23.6, 0.01],
    ['microsoft/Phi-4-mini-instruct', 3.8, 0.02],
    ['google/gemma-3-27b-it', 27, 0.02], // 27B with the 400M SigLIP vision encoder
  ];
  for (const [id, b, tolerance] of cards) test(`${id}: ${b}B`, () => within(billions(id), b, tolerance, id));

  test('active parameters: Llama 4 17B, Kimi K2 32B, GLM-4.5 32B, Qwen3-Next ~3B', () => {
    within(
      countParameters(arch('meta-llama/Llama-4-Maverick-17B-128E-Instruct')).activePerToken / 1e9,
      17,
      0.06,
      'Maverick',
    );
    within(countParameters(arch('moonshotai/Kimi-K2-Instruct')).activePerToken / 1e9, 32, 0.03, 'Kimi K2');
    within(countParameters(arch('zai-org/GLM-4.5')).activePerToken / 1e9, 32, 0.04, 'GLM-4.5');
    within(countParameters(arch('Qwen/Qwen3-Next-80B-A3B-Instruct')).activePerToken / 1e9, 3, 0.2, 'Qwen3-Next');
  });

  test('vision towers count: Gemma 3 carries SigLIP (~0.42B), Mistral Small 3.1 Pixtral (~0.4B)', () => {
    within((countParameters(arch('google/gemma-3-27b-it')).vision ?? 0) / 1e9, 0.42, 0.05, 'SigLIP');
    within(
      (countParameters(arch('mistralai/Mistral-Small-3.1-24B-Instruct-2503')).vision ?? 0) / 1e9,
      0.4,
      0.1,
      'Pixtral',
    );
  });
});

describe('KV and recurrent state by hand', () => {
  test('Qwen3-Next: 12 full-attention layers of KV, 36 Gated DeltaNet layers of fixed state per request', () => {
    const a = arch('Qwen/Qwen3-Next-80B-A3B-Instruct');
    const layout = kvLayout(a, 1, 1, 'auto');
    // 12 layers x 2 (K, V) x 2 KV heads x 256 head_dim x 2 B = 24576 B per token.
    assert.equal(layout.fullBytesPerToken, 24576);
    // Per layer: 32 value heads x 128 x 128 state + 3 x (2 x 16 x 128 + 32 x 128) conv, in 2 B = 1,097,728 B.
    assert.equal(layout.stateBytesPerRequest, 36 * (32 * 128 * 128 + 3 * 8192) * 2);
    assert.equal(requestKvBytes(layout, 1000), 1000 * 24576 + 36 * 1097728);
    // TP 4 splits the heads, so the state too.
    assert.equal(kvLayout(a, 4, 1, 'auto').stateBytesPerRequest, (36 * 1097728) / 4);
  });

  test('DeepSeek-V3.2: the MLA latent plus the indexer keys, 61 x (576 x 2 + 128 + 4) B', () => {
    assert.equal(kvLayout(arch('deepseek-ai/DeepSeek-V3.2-Exp'), 8, 1, 'auto').fullBytesPerToken, 61 * (576 * 2 + 132));
  });

  test('Llama 4: 12 global layers keep every token, 36 chunked-attention layers one 8192-token chunk', () => {
    const layout = kvLayout(arch('meta-llama/Llama-4-Scout-17B-16E-Instruct'), 1, 1, 'auto');
    // Per layer 2 x 8 x 128 x 2 B = 4096 B.
    assert.equal(layout.fullBytesPerToken, 12 * 4096);
    assert.equal(layout.slidingBytesPerToken, 36 * 4096);
    assert.equal(layout.window, 8192);
  });

  test('Kimi K2 in fp8 at TP 8: ~120 GiB of weights per GPU, so 8 H100s cannot hold it', () => {
    const a = arch('moonshotai/Kimi-K2-Instruct');
    const on = (id: string) => {
      const gpu = findGpu(id)!;
      return estimateServingMemory(a, gpu, { ...vllmDefaults(a, gpu), tp: 8, maxModelLen: 32768 });
    };
    // ~1.03T fp8 parameters / 8 = ~120 GiB per GPU: more than an H100's 79 GiB, less than an H200's 140.
    assert.equal(on('h100-sxm').fits, false);
    const h200 = on('h200');
    assert.ok(h200.weightsBytes / GIB > 115 && h200.weightsBytes / GIB < 125, String(h200.weightsBytes / GIB));
  });
});
