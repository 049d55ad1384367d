/** KV cache layouts for GQA, MLA and sliding-window models, and GPU names as tools print them. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findGpu } from '../../src/core/catalog/gpus.ts';
import { findModel } from '../../src/core/catalog/models.ts';
import { kvLayout, requestKvBytes } from '../../src/core/sizing/kvCache.ts';

const arch = (id: string) => findModel(id)!.architecture;

describe('KV cache bytes per token', () => {
  test('DeepSeek-V3 (MLA) caches one 576-wide latent per layer, the same on every TP rank', () => {
    // 61 layers x (kv_lora_rank 512 + qk_rope_head_dim 64) x 2 B = 70272 B.
    for (const tp of [1, 8])
      assert.equal(kvLayout(arch('deepseek-ai/DeepSeek-V3'), tp, 1, 'auto').fullBytesPerToken, 70272);
  });

  test('gpt-oss-120b: 18 full layers keep every token, 18 sliding layers only the last 128', () => {
    // Per layer: 2 x 8 KV heads x 64 head_dim x 2 B = 2048 B.
    const layout = kvLayout(arch('openai/gpt-oss-120b'), 1, 1, 'auto');
    assert.equal(layout.fullBytesPerToken, 18 * 2048);
    assert.equal(layout.slidingBytesPerToken, 18 * 2048);
    // A 10,000-token request: 10,000 x 36864 + 128 x 36864 B.
    assert.equal(requestKvBytes(layout, 10_000), 10_000 * 36864 + 128 * 36864);
  });

  test('Gemma 3 27B: 1 global layer in 6, the rest a 1024-token window', () => {
    // 62 layers: 10 global, 52 local; per layer 2 x 16 x 128 x 2 B = 8192 B.
    const layout = kvLayout(arch('google/gemma-3-27b-it'), 1, 1, 'auto');
    assert.equal(layout.fullBytesPerToken, 10 * 8192);
    assert.equal(layout.slidingBytesPerToken, 52 * 8192);
    assert.equal(layout.window, 1024);
  });

  test('GQA heads split across TP, and are replicated when there are fewer heads than GPUs', () => {
    // Llama-3.1-70B: 8 KV heads; TP=4 gives 2 per GPU: 80 x 2 x 2 x 128 x 2 B = 81920 B.
    assert.equal(kvLayout(arch('meta-llama/Llama-3.1-70B-Instruct'), 4, 1, 'auto').fullBytesPerToken, 81920);
    // Qwen2.5-0.5B has 2 KV heads; at TP=4 each GPU still holds one.
    assert.equal(kvLayout(arch('Qwen/Qwen2.5-0.5B-Instruct'), 4, 1, 'auto').kvHeadsPerGpu, 1);
    // fp8 KV cache halves it; pipeline stages split the layers.
    assert.equal(kvLayout(arch('meta-llama/Llama-3.1-70B-Instruct'), 4, 1, 'fp8').fullBytesPerToken, 40960);
    assert.equal(kvLayout(arch('meta-llama/Llama-3.1-70B-Instruct'), 4, 2, 'auto').fullBytesPerToken, 40960);
  });
});

describe('GPU names from nvidia-smi, rocm-smi and Kubernetes labels', () => {
  const names: [string, string][] = [
    ['NVIDIA H100 80GB HBM3', 'h100-sxm'],
    ['NVIDIA H100 PCIe', 'h100-pcie'],
    ['NVIDIA A100-SXM4-40GB', 'a100-40gb'],
    ['NVIDIA-A100-SXM4-80GB', 'a100-80gb'],
    ['NVIDIA A10G', 'a10g'],
    ['NVIDIA L4', 'l4'],
    ['NVIDIA L40S', 'l40s'],
    ['NVIDIA H200', 'h200'],
    ['AMD Instinct MI300X OAM', 'mi300x'],
    ['NVIDIA GeForce RTX 4090', 'rtx-4090'],
    ['NVIDIA-H100-80GB-HBM3', 'h100-sxm'],
  ];
  for (const [name, id] of names) test(`${name} -> ${id}`, () => assert.equal(findGpu(name)?.id, id));
  test('an unknown GPU is not guessed', () => assert.equal(findGpu('Matrox G200eR2'), undefined));
});
