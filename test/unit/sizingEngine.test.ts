/** Throughput, suggestions and training memory, checked by hand arithmetic written beside each case. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { architectureFromHfConfig } from '../../src/core/catalog/architecture.ts';
import { findGpu, GPU_CATALOG } from '../../src/core/catalog/gpus.ts';
import { findModel } from '../../src/core/catalog/models.ts';
import { estimateJson } from '../../src/core/sizing/report.ts';
import { MEMORY_EFFICIENCY, roofline, STEP_OVERHEAD_S } from '../../src/core/sizing/roofline.ts';
import { estimateServingMemory, vllmDefaults } from '../../src/core/sizing/servingMemory.ts';
import { suggest, validTensorParallel } from '../../src/core/sizing/suggest.ts';
import { estimateTrainingMemory, loraParameters } from '../../src/core/sizing/training.ts';

const model = (id: string) => findModel(id)!.architecture;
const h100 = findGpu('h100-sxm')!;

describe('roofline', () => {
  test("Llama-3.1-8B, batch 1 on an H100: a decode step reads the weights and one request's KV cache", () => {
    const a = model('meta-llama/Llama-3.1-8B-Instruct');
    const e = estimateServingMemory(a, h100, { ...vllmDefaults(a, h100), maxModelLen: 8192 });
    const r = roofline(a, e, 1000, 200, [1]);
    // Weights 16.06e9 B (8.03e9 x 2); KV read 1 x (1000 + 100) tokens x 131072 B = 0.144e9 B;
    // / (3350e9 B/s x 0.8) = 6.05 ms, + 2 ms step overhead = 8.05 ms per token (~124 tokens/s).
    const expected = ((e.weightsBytes + 1100 * 131072) / (3350e9 * MEMORY_EFFICIENCY) + STEP_OVERHEAD_S) * 1000;
    assert.ok(Math.abs(expected - 8.05) < 0.05, `hand figure ${expected}`);
    assert.ok(Math.abs(r.points[0]!.tpotMs - expected) < 1e-9);
    assert.equal(r.points[0]!.bound, 'memory');
  });

  test('a bigger batch is slower per step but faster per GPU', () => {
    const a = model('meta-llama/Llama-3.1-8B-Instruct');
    const e = estimateServingMemory(a, h100, { ...vllmDefaults(a, h100), maxModelLen: 8192 });
    const [one, many] = roofline(a, e, 1000, 200, [1, 64]).points;
    assert.ok(many!.tpotMs > one!.tpotMs);
    assert.ok(many!.tokensPerSecond > 10 * one!.tokensPerSecond);
  });
});

describe('suggestions', () => {
  test('tensor parallel degrees divide the attention heads: Qwen2.5-7B has 28 heads, so 1, 2, 4 but not 8', () => {
    assert.deepEqual(validTensorParallel(model('Qwen/Qwen2.5-7B-Instruct')), [1, 2, 4]);
    assert.deepEqual(validTensorParallel(model('meta-llama/Llama-3.1-8B-Instruct')), [1, 2, 4, 8]);
  });

  test('Llama-3.1-70B in bf16 needs 4 H100s: 131.4 GiB of weights do not leave room for a request at TP=2', () => {
    // TP=2: 70.55e9 x 2 B / 2 = 65.7 GiB + 4.9 GiB activations + 0.55 GiB = 71.1 of 71.26 GiB:
    // 0.15 GiB of KV cache holds 940 tokens, less than one 8192-token request.
    const result = suggest(model('meta-llama/Llama-3.1-70B-Instruct'), [h100], {
      contextLength: 8192,
      inputTokens: 1000,
      outputTokens: 200,
      concurrency: 32,
    });
    assert.ok(result.ok);
    assert.equal(result.best.tp, 4);
    assert.equal(result.best.costPerHour, result.best.gpus * h100.pricePerHour);
    assert.ok(result.best.vllm.args.join(' ').includes('--tensor-parallel-size 4 --max-model-len 8192'));
    assert.ok(
      result.best.reasons.every((r) => /\d/.test(r)),
      'every reason gives its numbers',
    );
  });

  test('more load means more replicas, never a layout that does not fit', () => {
    const a = model('meta-llama/Llama-3.1-8B-Instruct');
    const low = suggest(a, [h100], { contextLength: 8192, inputTokens: 1000, outputTokens: 200, requestsPerSecond: 1 });
    const high = suggest(a, [h100], {
      contextLength: 8192,
      inputTokens: 1000,
      outputTokens: 200,
      requestsPerSecond: 200,
    });
    assert.ok(low.ok && high.ok);
    assert.ok(high.best.gpus > low.best.gpus);
    assert.ok(high.best.estimate.fits);
  });

  test('an impossible target says why for every GPU type', () => {
    const result = suggest(model('deepseek-ai/DeepSeek-V3'), [findGpu('l4')!], {
      contextLength: 8192,
      inputTokens: 1000,
      outputTokens: 200,
      tpotMsMax: 1,
    });
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.reasons.length > 0 && result.reasons.every((r) => r.startsWith('NVIDIA L4')));
  });

  test('a sweep covers every datacenter GPU type', () => {
    const result = suggest(
      model('Qwen/Qwen3-8B'),
      GPU_CATALOG.filter((g) => g.datacenter),
      { contextLength: 8192, inputTokens: 1000, outputTokens: 200, requestsPerSecond: 5 },
    );
    assert.ok(result.ok);
    assert.equal(1 + result.alternatives.length, GPU_CATALOG.filter((g) => g.datacenter).length);
    const costs = [result.best, ...result.alternatives].map((s) => s.costPerHour);
    assert.deepEqual(
      costs,
      [...costs].sort((x, y) => x - y),
    );
  });
});

describe('training memory', () => {
  test('full fine-tuning with ZeRO-3 over 64 GPUs: 16 B per parameter / 64 (ZeRO paper)', () => {
    const a = model('meta-llama/Llama-3.1-8B-Instruct');
    const t = estimateTrainingMemory(a, {
      method: 'full',
      zeroStage: 3,
      dp: 64,
      tp: 1,
      pp: 1,
      microBatch: 1,
      sequenceLength: 2048,
      recompute: true,
      flashAttention: true,
      loraRank: 16,
    });
    // 8.03e9 x (2 + 2 + 12) B / 64 = 2.007e9 B of model states per GPU.
    const states = t.weightsBytes + t.gradientsBytes + t.optimizerBytes;
    assert.ok(Math.abs(states - (8.03e9 * 16) / 64) / states < 0.001, String(states));
    // Recompute keeps 2 B x 2048 x 4096 per layer x 32 layers = 0.537e9 B.
    assert.equal(t.activationsBytes, 2 * 2048 * 4096 * 32);
  });

  test('LoRA trains a fraction of a percent of the parameters; QLoRA stores the base in ~4 bits', () => {
    const a = model('meta-llama/Llama-3.1-8B-Instruct');
    // Rank 16, per layer: q 16 x (4096 + 4096), k and v 16 x (4096 + 1024) each, o 16 x (4096 + 4096),
    // MLP 3 x 16 x (4096 + 14336) = 1,179,648 per layer; x 32 layers = 41,943,040.
    assert.equal(loraParameters(a, 16), 41_943_040);
    const base = {
      zeroStage: 0 as const,
      dp: 1,
      tp: 1,
      pp: 1,
      microBatch: 1,
      sequenceLength: 2048,
      recompute: true,
      flashAttention: true,
      loraRank: 16,
    };
    const lora = estimateTrainingMemory(a, { ...base, method: 'lora' });
    const qlora = estimateTrainingMemory(a, { ...base, method: 'qlora' });
    // Optimizer: 12 B x 41.9M = 0.503e9 B either way.
    assert.equal(lora.optimizerBytes, 12 * 41_943_040);
    // LoRA: 8.0305e9 x 2 B + 41.9M x 2 B = 16.145e9 B. QLoRA: the 6.979e9 projection weights
    // (32 x (41.94M attention + 176.16M MLP)) in NF4 at 0.5159 B = 3.601e9 B, the other 1.051e9
    // (embeddings, LM head, norms) in bf16 = 2.102e9 B, adapters 0.084e9 B: 5.787e9 B.
    assert.ok(Math.abs(lora.weightsBytes - 16.145e9) / 16.145e9 < 0.002, String(lora.weightsBytes));
    assert.ok(Math.abs(qlora.weightsBytes - 5.787e9) / 5.787e9 < 0.002, String(qlora.weightsBytes));
  });
});

describe('config.json', () => {
  test('bad configs are reported, not thrown', () => {
    assert.equal(architectureFromHfConfig('x', null).ok, false);
    assert.equal(architectureFromHfConfig('x', [1, 2]).ok, false);
    const missing = architectureFromHfConfig('x', { hidden_size: 4096 });
    assert.equal(missing.ok, false);
    assert.match(missing.ok ? '' : missing.message, /lacks num_hidden_layers, num_attention_heads, vocab_size/);
  });

  test('the estimate JSON has every field the CLI promises', () => {
    const a = model('Qwen/Qwen3-0.6B');
    const json = estimateJson(a, estimateServingMemory(a, h100, vllmDefaults(a, h100)));
    for (const key of [
      'weightsGiB',
      'activationGiB',
      'nonTorchGiB',
      'kvCacheGiB',
      'kvCacheTokens',
      'kvBytesPerToken',
      'maxConcurrency',
      'fits',
    ]) {
      assert.ok(key in json, key);
    }
    // Qwen3-0.6B: 2 x 28 layers x 8 KV heads x 128 x 2 B = 114688 B per token.
    assert.equal(json.kvBytesPerToken, 114688);
  });
});
