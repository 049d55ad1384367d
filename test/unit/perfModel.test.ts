/**
 * The performance model's parts against hand arithmetic: experts a batch touches, one decode step
 * of a dense model, and the continuous-batching simulator with a constant step time (where TTFT,
 * TPOT and throughput follow by hand, and Little's law holds).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findGpu } from '../../src/core/catalog/gpus.ts';
import { findModel } from '../../src/core/catalog/models.ts';
import { ENGINE_PROFILES } from '../../src/core/perf/engines.ts';
import { ACHIEVED_HARDWARE, cardRates } from '../../src/core/perf/hardware.ts';
import { estimatePerformance } from '../../src/core/perf/performance.ts';
import { expectedExpertsTouched, stepCostModel } from '../../src/core/perf/stepCost.ts';
import { simulateContinuousBatching, type BatchingOptions } from '../../src/core/sched/continuousBatching.ts';
import { GPU_CATALOG } from '../../src/core/catalog/gpus.ts';

function within(actual: number, expected: number, relative: number, what: string) {
  assert.ok(
    Math.abs(actual - expected) / expected <= relative,
    `${what}: ${actual.toFixed(3)} vs ${expected.toFixed(3)} (over ${relative * 100} %)`,
  );
}

describe('MoE: expected distinct experts per layer', () => {
  test('one token touches exactly its top-k; many tokens touch every expert', () => {
    within(expectedExpertsTouched(256, 8, 1), 8, 1e-9, 'DeepSeek, 1 token');
    within(expectedExpertsTouched(128, 8, 10_000), 128, 1e-6, 'Qwen3-235B, 10k tokens');
  });
  test('4 tokens of DeepSeek (E=256, k=8): 256 x (1 - (248/256)^4) = 30.53', () => {
    // (248/256)^2 = 0.938477; ^4 = 0.880738; 256 x 0.119262 = 30.531
    within(expectedExpertsTouched(256, 8, 4), 30.531, 1e-3, 'experts');
  });
});

describe('step cost', () => {
  test('Qwen3-8B bf16 on one H100, one decode token: 16.4 GB / (2.9 TB/s x 0.85) + 0.8 ms = 7.45 ms', () => {
    // 8.2B parameters (model card) x 2 bytes = 16.4 GB; H100 streams 2.9 TB/s (hardware.ts), a
    // decode GEMM reaches 85 % of that; vLLM spends 0.8 ms per step outside the kernels.
    const cost = stepCostModel({
      model: findModel('Qwen/Qwen3-8B')!.architecture,
      gpu: findGpu('h100-sxm')!,
      tp: 1,
      pp: 1,
      expertParallel: false,
      weightFormat: 'bf16',
      kvCacheDtype: 'auto',
      profile: ENGINE_PROFILES.vllm,
    });
    const seconds = cost.seconds({
      decodeTokens: 1,
      decodeKvBytes: 0,
      decodeContextTokens: 0,
      prefillTokens: 0,
      prefillAttentionPairs: 0,
    });
    within(seconds * 1000, (16.4e9 / (2.9e12 * 0.85)) * 1000 + 0.8, 0.02, 'step ms');
  });

  test('a MoE step costs more when its batch touches more experts', () => {
    const cost = stepCostModel({
      model: findModel('deepseek-ai/DeepSeek-R1')!.architecture,
      gpu: findGpu('h200')!,
      tp: 8,
      pp: 1,
      expertParallel: false,
      weightFormat: 'fp8',
      kvCacheDtype: 'auto',
      profile: ENGINE_PROFILES.vllm,
    });
    const step = (n: number) =>
      cost.seconds({
        decodeTokens: n,
        decodeKvBytes: 0,
        decodeContextTokens: 0,
        prefillTokens: 0,
        prefillAttentionPairs: 0,
      });
    assert.ok(step(64) > step(4) && step(4) > step(1));
  });

  test('every achieved figure has a source and is below its datasheet peak', () => {
    for (const [id, h] of Object.entries(ACHIEVED_HARDWARE)) {
      const gpu = GPU_CATALOG.find((g) => g.id === id);
      assert.ok(gpu, `${id} is a catalog GPU id`);
      assert.match(h.source, /https:\/\//);
      assert.ok(h.memoryGBps < gpu.memoryBandwidthGBps && h.bf16Tflops < gpu.bf16Tflops, id);
    }
    assert.match(cardRates(findGpu('l4')!).explanation, /no published microbenchmark/);
  });
});

describe('continuous batching with a constant 10 ms step', () => {
  const base: BatchingOptions = {
    inputTokens: 100,
    outputTokens: 11,
    load: { kind: 'closed', concurrency: 1 },
    kvCapacityTokens: 1_000_000,
    maxRunning: 256,
    maxBatchedTokens: 8192,
    mixedBatches: true,
    reserveWholeRequest: true,
    stepSeconds: () => 0.01,
    serverOverheadS: 0.05,
  };

  test('one client: TTFT = one prefill step + 50 ms; TPOT = 10 ms; 11 tokens per 110 ms = 100 tok/s', () => {
    const r = simulateContinuousBatching(base);
    within(r.ttftMs.mean, 60, 1e-6, 'TTFT');
    within(r.tpotMs, 10, 1e-6, 'TPOT');
    within(r.outputTokensPerSecond, 100, 0.01, 'tokens/s');
  });

  test('four clients, KV cache for two requests: two at a time (200 tok/s), the others queue', () => {
    const r = simulateContinuousBatching({
      ...base,
      load: { kind: 'closed', concurrency: 4 },
      kvCapacityTokens: 2 * 111,
    });
    within(r.outputTokensPerSecond, 200, 0.02, 'tokens/s');
    // Each request waits for one pair to finish (110 ms) before its own prefill step.
    assert.ok(r.ttftMs.mean > 110 + 10, `TTFT ${r.ttftMs.mean}`);
  });

  test("open loop: throughput = arrival rate x output tokens below saturation (Little's law)", () => {
    const r = simulateContinuousBatching({ ...base, load: { kind: 'open', requestsPerSecond: 5, seed: 7 } });
    within(r.outputTokensPerSecond, 5 * 11, 0.1, 'tokens/s');
    within(r.requestsPerSecond, 5, 0.1, 'requests/s');
  });

  test('each step sees every decoding context, and a sliding window caps each at its size', () => {
    // One request of 10 prompt tokens and 5 output tokens, window 12: one prefill step (the first
    // token), then four decode steps at contexts 11, 12, 13, 14, capped at 12 as 11, 12, 12, 12.
    const seen: [number, number, number][] = [];
    simulateContinuousBatching({
      ...base,
      inputTokens: 10,
      outputTokens: 5,
      requests: 1,
      slidingWindowTokens: 12,
      stepSeconds: (s) => {
        seen.push([s.decodeTokens, s.decodeContextTokens, s.decodeWindowedContextTokens]);
        return 0.01;
      },
    });
    assert.deepEqual(seen, [
      [0, 0, 0],
      [1, 11, 11],
      [1, 12, 12],
      [1, 13, 12],
      [1, 14, 12],
    ]);
  });

  test('two clients a step apart: the second prefill rides with the first decode, contexts summed', () => {
    // Client A at t = 0, client B before A's first decode; prompts of 10, outputs of 3, window 11.
    const seen: [number, number, number, number][] = [];
    simulateContinuousBatching({
      ...base,
      inputTokens: 10,
      outputTokens: 3,
      load: { kind: 'open', requestsPerSecond: 1, seed: 1 },
      requests: 2,
      slidingWindowTokens: 11,
      stepSeconds: (s) => {
        seen.push([s.decodeTokens, s.decodeContextTokens, s.decodeWindowedContextTokens, s.prefillTokens]);
        return 0.01;
      },
    });
    // Whatever the arrival times, every step's sums agree with its decode count: contexts are
    // 11 then 12 per request (prompt + tokens so far), each capped at 11 under the window.
    for (const [n, contexts, windowed] of seen) {
      assert.ok(contexts >= 11 * n && contexts <= 12 * n, `${n} decodes, ${contexts} context tokens`);
      assert.equal(windowed, 11 * n);
    }
    assert.equal(
      seen.reduce((sum, [n]) => sum + n, 0),
      4,
      'two decode steps per request',
    );
  });

  test('SGLang-style separate prefill steps stall decodes: TPOT rises with prompts arriving', () => {
    const load = { kind: 'open', requestsPerSecond: 20, seed: 3 } as const;
    const mixed = simulateContinuousBatching({ ...base, load });
    const apart = simulateContinuousBatching({ ...base, load, mixedBatches: false });
    assert.ok(apart.tpotMs > mixed.tpotMs, `${apart.tpotMs} vs ${mixed.tpotMs}`);
  });
});

describe('performance model', () => {
  const qwen = findModel('Qwen/Qwen3-8B')!.architecture;
  const h100 = findGpu('h100-sxm')!;
  const run = (inputTokens: number, concurrency: number) => {
    const r = estimatePerformance({
      model: qwen,
      gpu: h100,
      tp: 1,
      inputTokens,
      outputTokens: 200,
      load: { concurrency },
    });
    assert.ok(r.ok);
    return r;
  };

  test('prefill is charged against throughput: longer prompts, fewer output tokens/s at the same load', () => {
    assert.ok(run(4000, 32).outputTokensPerSecond < run(100, 32).outputTokensPerSecond * 0.9);
  });

  test('TTFT includes the fixed server overhead and grows under load', () => {
    assert.ok(run(100, 1).ttftMs.mean >= ENGINE_PROFILES.vllm.serverOverheadS * 1000);
    assert.ok(run(2000, 256).ttftMs.mean > run(2000, 1).ttftMs.mean);
    const r = run(2000, 64);
    assert.ok(r.ttftMs.p50 <= r.ttftMs.p90 && r.ttftMs.p90 <= r.ttftMs.p99);
  });

  test('uncalibrated figures are tagged roofline and state their assumptions', () => {
    const r = run(1000, 8);
    assert.deepEqual(r.provenance, { kind: 'roofline' });
    assert.ok(r.assumptions.some((a) => a.includes('Not calibrated')));
    assert.ok(r.assumptions.some((a) => a.includes('semianalysis.com')));
  });

  test('loads and lengths out of range are refused with a reason, not simulated for hours', () => {
    const base = { model: qwen, gpu: h100, tp: 1, inputTokens: 100, outputTokens: 100 };
    for (const bad of [
      { ...base, load: { concurrency: 1e9 } },
      { ...base, load: { concurrency: 1.5 } },
      { ...base, load: { requestsPerSecond: Number.POSITIVE_INFINITY } },
      { ...base, load: { concurrency: 4 }, requests: 1e7 },
      { ...base, inputTokens: 0, load: { concurrency: 4 } },
    ]) {
      const r = estimatePerformance(bad);
      assert.equal(r.ok, false, JSON.stringify(bad.load));
    }
  });

  test('a KV cache too small for one request is an answer, not a number', () => {
    const r = estimatePerformance({
      model: findModel('meta-llama/Llama-3.1-70B-Instruct')!.architecture,
      gpu: findGpu('h100-sxm')!,
      tp: 2,
      inputTokens: 1000,
      outputTokens: 100,
      load: { concurrency: 1 },
    });
    assert.equal(r.ok, false);
  });
});
