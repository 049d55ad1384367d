/** vLLM's version-dependent memory rules, MXFP4 padding, quantization formats: by hand arithmetic. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { architectureFromHfConfig } from '../../src/core/catalog/architecture.ts';
import { findGpu } from '../../src/core/catalog/gpus.ts';
import { findModel } from '../../src/core/catalog/models.ts';
import { kvLayout } from '../../src/core/sizing/kvCache.ts';
import { fitAdvice } from '../../src/core/sizing/advice.ts';
import { bytesPerWeight, mxfp4BackendFor, mxfp4PaddingRatio } from '../../src/core/sizing/parameters.ts';
import { estimateServingMemory, GIB, vllmDefaults } from '../../src/core/sizing/servingMemory.ts';
import {
  NEWEST_MODELED_VLLM,
  parseVllmVersion,
  vllmRules,
  vllmVersionFromImage,
} from '../../src/core/sizing/vllmVersion.ts';

const arch = (id: string) => findModel(id)!.architecture;
const h100 = findGpu('h100-sxm')!;

describe('vLLM versions', () => {
  test('versions parse, and compare numerically', () => {
    assert.deepEqual(parseVllmVersion('v0.10.1.1')?.parts, [0, 10, 1, 1]);
    assert.equal(parseVllmVersion('0.9.2rc1')?.text, '0.9.2rc1');
    assert.equal(parseVllmVersion('latest'), undefined);
    assert.equal(parseVllmVersion('0.x'), undefined);
    assert.equal(vllmRules('0.9.2').hybridKvCacheManager, false);
    assert.equal(vllmRules('0.10.0').hybridKvCacheManager, true);
    assert.equal(vllmRules('0.20.2').cudaGraphInKvBudget, false);
    assert.equal(vllmRules('0.21.0').cudaGraphInKvBudget, true);
    assert.equal(vllmRules().version, NEWEST_MODELED_VLLM);
  });

  test('image tags name the version; latest, digests and other images do not', () => {
    const cases: [string, string | undefined][] = [
      ['vllm/vllm-openai:v0.11.0', '0.11.0'],
      ['vllm/vllm-openai:0.10.1.1', '0.10.1.1'],
      ['docker.io/vllm/vllm-openai:v0.9.2', '0.9.2'],
      ['public.ecr.aws/q9t5s3a7/vllm-openai:v0.10.2-cu128', '0.10.2'],
      ['vllm/vllm-openai:latest', undefined],
      ['vllm/vllm-openai', undefined],
      ['vllm/vllm-openai@sha256:0123abcd', undefined],
      ['ghcr.io/huggingface/text-generation-inference:3.3.4', undefined],
      ['registry:5000/vllm/vllm-openai', undefined],
      ['nginx:1.27.0', undefined],
      ['rocm/vllm:rocm6.4.1_vllm_0.10.1_20250909', '0.10.1'],
      ['rocm/vllm-dev:nightly', undefined],
    ];
    for (const [image, version] of cases) assert.equal(vllmVersionFromImage(image), version, image);
  });

  test('before the hybrid KV-cache manager (0.8.4) Gemma 3 sliding layers hold every token', () => {
    // Gemma 3 27B: 62 layers, 16 KV heads x 128 x 2 (K, V) x 2 B = 8192 B per layer and token.
    const a = arch('google/gemma-3-27b-it');
    const old = kvLayout(a, 1, 1, 'auto', { slidingWindowKept: false });
    assert.equal(old.fullBytesPerToken, 62 * 8192);
    assert.equal(old.slidingBytesPerToken, 0);
    const settings = { ...vllmDefaults(a, h100, '0.8.4'), maxModelLen: 32768 };
    const before = estimateServingMemory(a, h100, settings);
    const after = estimateServingMemory(a, h100, { ...settings, vllmVersion: '0.10.2' });
    // A 32768-token request: 62 x 8192 x 32768 = 15.5 GiB before; after, 10 x 8192 x 32768 for the global
    // layers + 52 x 8192 x (1024 - 1 + 8192 batched tokens) for the sliding ones = 5.66 GiB.
    assert.equal((before.kvBytesPerToken * 32768) / GIB, 15.5);
    assert.ok(Math.abs((after.kvBytesPerToken * 32768) / GIB - (10 * 8192 * 32768 + 52 * 8192 * 9215) / GIB) < 1e-9);
    const off = estimateServingMemory(a, h100, {
      ...settings,
      vllmVersion: '0.10.2',
      disableHybridKvCacheManager: true,
    });
    assert.equal(off.kvBytesPerToken, before.kvBytesPerToken);
  });

  test('sliding layers charge their window plus one step: gpt-oss-120b on 4 A100s printed 2,640,144 tokens and 284.25x', () => {
    // https://github.com/dennislee22/vLLM-benchmarking/blob/b474d1e053c35c9aef8c02aae4efbc0d8675f033/log/vllm-120B-4gpuA10080GB-0.8GRAM-diff-nodes.log
    // 2,640,144 / 16384 = 161.1 requests if sliding layers held every token; vLLM printed 284.25, a
    // ratio of 1.764 = 36 layers / (18 + 18 x (128 - 1 + 2048) / 16384).
    const a = arch('openai/gpt-oss-120b');
    const a100 = findGpu('a100-80gb')!;
    const e = estimateServingMemory(a, a100, {
      ...vllmDefaults(a, a100, '0.10.1.1'),
      tp: 4,
      gpuMemoryUtilization: 0.8,
      maxModelLen: 16384,
    });
    const ratio = e.maxConcurrency / (e.kvCacheTokens / 16384);
    assert.ok(Math.abs(ratio - 36 / (18 + (18 * 2175) / 16384)) < 0.005, String(ratio));
    assert.ok(Math.abs(ratio - 284.25 / (2640144 / 16384)) < 0.005, String(ratio));
  });

  test('from 0.21.0 the CUDA graphs come out of the KV budget: 0.3 + 32 layers x 0.006 GiB for Llama-3.1-8B', () => {
    const a = arch('meta-llama/Llama-3.1-8B-Instruct');
    const old = estimateServingMemory(a, h100, { ...vllmDefaults(a, h100, '0.20.0'), maxModelLen: 8192 });
    const now = estimateServingMemory(a, h100, { ...vllmDefaults(a, h100, '0.21.0'), maxModelLen: 8192 });
    assert.ok(Math.abs((old.kvCacheBytes - now.kvCacheBytes) / GIB - 0.492) < 1e-9);
    assert.equal(now.vllmVersion, '0.21.0');
    assert.match(now.explanation[0] ?? '', /^vLLM 0\.21\.0 rules/);
    const eager = estimateServingMemory(a, h100, {
      ...vllmDefaults(a, h100, '0.21.0'),
      maxModelLen: 8192,
      enforceEager: true,
    });
    assert.equal(eager.kvCacheBytes, old.kvCacheBytes);
  });
});

describe('runtime memory', () => {
  const a = arch('meta-llama/Llama-3.1-8B-Instruct');
  const base = { ...vllmDefaults(a, h100, '0.11.0'), maxModelLen: 8192 };

  test('the sampler scales with max_num_seqs: 128 x 128256 x 38.6 B = 0.59 GiB; FlashInfer 10 B: 0.15 GiB', () => {
    const e = estimateServingMemory(a, h100, { ...base, maxNumSeqs: 128, maxNumBatchedTokens: 2048 });
    assert.ok(Math.abs(e.activationBytes / GIB - (128 * 128256 * 38.6) / GIB) < 1e-9);
    const fi = estimateServingMemory(a, h100, {
      ...base,
      maxNumSeqs: 128,
      maxNumBatchedTokens: 2048,
      flashInferSampler: true,
    });
    // The forward pass (2048 tokens x (4 x 4096 + 3 x 14336) x 2 B = 0.23 GiB) is now the larger.
    assert.ok(Math.abs(fi.activationBytes / GIB - (2048 * (4 * 4096 + 3 * 14336) * 2) / GIB) < 1e-9);
  });

  test('with pipeline parallelism only the last stage runs the sampler; the tightest stage sets the KV cache', () => {
    const pp = estimateServingMemory(a, h100, { ...base, pp: 2 });
    // Last stage: 16 layers + LM head (128256 x 4096 x 2 B) and the sampler, 1024 x 128256 x 38.6 B = 4.72 GiB.
    // First stage: 16 layers + embedding, no sampler: its peak is the forward pass, 8192 x (4 x 4096 + 3 x
    // 14336) x 2 B = 0.91 GiB, so the last stage is the tighter one.
    assert.ok(Math.abs(pp.activationBytes / GIB - (1024 * 128256 * 38.6) / GIB) < 1e-9);
    assert.ok(pp.explanation.some((l) => l.includes('the tightest pipeline stage')));
    // A model whose first stage is heavier (a large tied embedding is on both ends; Gemma 2 ties) still
    // takes the minimum: the estimate never exceeds either stage's room.
    const single = estimateServingMemory(a, h100, base);
    assert.ok(pp.kvCacheBytes > single.kvCacheBytes, 'half the layers leave more room per GPU');
  });

  test('non-torch memory grows with TP: 0.55 GiB at TP 2 and 2.35 GiB at TP 8 over NVLink, 0.21 GiB at TP 2 over PCIe', () => {
    const l70 = arch('meta-llama/Llama-3.1-70B-Instruct');
    const at = (tp: number, gpu = h100) =>
      estimateServingMemory(l70, gpu, { ...vllmDefaults(l70, gpu, '0.11.0'), tp, maxModelLen: 8192 }).nonTorchBytes /
      GIB;
    assert.ok(Math.abs(at(2) - 0.55) < 1e-9);
    assert.ok(Math.abs(at(8) - 2.35) < 1e-9);
    assert.ok(Math.abs(at(2, findGpu('l40s')!) - 0.21) < 1e-9);
  });

  test('the fused-MoE workspace: 8192 tokens x 8 experts x (3 x 768 + 2048) x 2 B = 0.55 GiB for Qwen3-30B-A3B', () => {
    const q = arch('Qwen/Qwen3-30B-A3B');
    const e = estimateServingMemory(q, h100, { ...vllmDefaults(q, h100, '0.11.0'), maxModelLen: 8192, maxNumSeqs: 16 });
    const workspace = (8192 * 8 * (3 * 768 + 2048) * 2) / GIB;
    assert.ok(e.explanation.some((l) => l.includes(`fused-MoE workspace ${workspace.toFixed(2)} GiB`)));
  });
});

describe('weights as vLLM allocates them', () => {
  test('MXFP4 padding: Marlin (A100) 2880 -> 2944 x 3072; Triton on Hopper 2880 -> 3072 on the contraction side', () => {
    const a = arch('openai/gpt-oss-20b');
    assert.equal(mxfp4BackendFor(findGpu('a100-80gb')!), 'marlin');
    assert.equal(mxfp4BackendFor(h100), 'triton-hopper');
    assert.equal(mxfp4BackendFor(findGpu('b200')!), 'flashinfer');
    assert.equal(mxfp4PaddingRatio(a, 1, 'marlin'), (2944 * 3072) / (2880 * 2880));
    assert.equal(mxfp4PaddingRatio(a, 1, 'triton-hopper'), 3072 / 2880);
    // TP 4: 720 per rank -> 768 (128) for Marlin.
    assert.equal(mxfp4PaddingRatio(a, 4, 'marlin'), (768 * 3072) / (720 * 2880));
  });

  test('4-bit formats: AWQ g128 4.5625 bits, symmetric GPTQ 4.125, NVFP4 4.5, MXFP4 4.25', () => {
    assert.equal(bytesPerWeight('int4', 128, true) * 8, 4 + (16 + 4) / 128);
    assert.equal(bytesPerWeight('int4', 128, false) * 8, 4 + 16 / 128);
    assert.equal(bytesPerWeight('nvfp4') * 8, 4.5);
    assert.equal(bytesPerWeight('mxfp4') * 8, 4.25);
  });

  test('quant configs: modelopt FP8 and NVFP4, compressed-tensors w8a8 int / w4a16, GPTQ group sizes', () => {
    const q = (quantization_config: unknown) => {
      const parsed = architectureFromHfConfig('x', {
        model_type: 'llama',
        hidden_size: 4096,
        num_hidden_layers: 32,
        num_attention_heads: 32,
        vocab_size: 128256,
        quantization_config,
      });
      assert.ok(parsed.ok);
      return parsed.value.quantization;
    };
    assert.equal(q({ quant_method: 'modelopt', quant_algo: 'FP8' })?.format, 'fp8');
    assert.equal(q({ quant_method: 'modelopt', quant_algo: 'NVFP4', group_size: 16 })?.format, 'nvfp4');
    assert.equal(
      q({ quant_method: 'compressed-tensors', config_groups: { g: { weights: { type: 'int', num_bits: 8 } } } })
        ?.format,
      'int8',
    );
    const w4a16 = q({
      quant_method: 'compressed-tensors',
      config_groups: { g: { weights: { type: 'int', num_bits: 4, group_size: 64, symmetric: true } } },
    });
    assert.deepEqual([w4a16?.format, w4a16?.groupSize, w4a16?.zeroPoint], ['int4', 64, false]);
    const gptq = q({ quant_method: 'gptq', bits: 4, group_size: 32, sym: true });
    assert.deepEqual([gptq?.format, gptq?.groupSize, gptq?.zeroPoint], ['int4', 32, false]);
    assert.equal(q({ quant_method: 'bitsandbytes', load_in_4bit: true })?.format, 'int4');
  });

  test('a vision tower counts: SigLIP-so400m (27 layers, 1152 wide, MLP 4304) is ~0.4B parameters', () => {
    const parsed = architectureFromHfConfig('gemma3-like', {
      model_type: 'gemma3',
      text_config: {
        model_type: 'gemma3_text',
        hidden_size: 2560,
        num_hidden_layers: 34,
        num_attention_heads: 8,
        vocab_size: 262208,
      },
      vision_config: {
        model_type: 'siglip_vision_model',
        hidden_size: 1152,
        intermediate_size: 4304,
        num_hidden_layers: 27,
        patch_size: 14,
      },
    });
    assert.ok(parsed.ok);
    // 27 x (4 x 1152^2 + 2 x 1152 x 4304) = 0.411B, + patch embedding and projector.
    const v = parsed.value.visionParams ?? 0;
    assert.ok(v > 0.41e9 && v < 0.43e9, String(v));
  });
});

describe('advice when it does not fit', () => {
  test('gpt-oss-120b on one H100 (vLLM 0.11.0): fewer sequences shrink the sampler peak enough', () => {
    const a = arch('openai/gpt-oss-120b');
    const e = estimateServingMemory(a, h100, { ...vllmDefaults(a, h100, '0.11.0'), maxModelLen: 32768 });
    assert.equal(e.fits, false);
    // 1024 -> 256 sequences: (1024 - 256) x 201088 x 38.6 B = 5.55 GiB less at the profiling peak.
    const advice = fitAdvice(a, h100, e);
    assert.ok(
      advice.some((line) => /--max-num-seqs 256: .* 5\.6 GiB lower/.test(line)),
      advice.join('\n'),
    );
  });
});
