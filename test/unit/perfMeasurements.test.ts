/**
 * The performance model against 24 published serving measurements (NVIDIA NIM and TensorRT-LLM
 * performance tables, dstack's vLLM DeepSeek-R1 runs, GPUStack's vLLM performance lab; each case's
 * source URL is in test/fixtures/perf/servingMeasurements.ts). What the issue asks: the median
 * ratio estimate / measured within 0.85-1.15 for output tokens/s and for TPOT, every case within
 * 0.5-2x, and the median TTFT ratio within 0.6-1.6.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DSTACK_DEEPSEEK_RUNS } from '../fixtures/perf/dstackDeepseek.ts';
import { GPUSTACK_BURSTS } from '../fixtures/perf/gpustackBursts.ts';
import { predictDstackRun, predictBurst, predictMeasurement } from '../fixtures/perf/predict.ts';
import { SERVING_MEASUREMENTS } from '../fixtures/perf/servingMeasurements.ts';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

const rows = SERVING_MEASUREMENTS.map((m) => {
  const p = predictMeasurement(m);
  return {
    name: m.name,
    tokens: p.outputTokensPerSecond / m.measured.outputTokensPerS,
    tpot: m.measured.tpotMs === undefined ? undefined : p.tpotMs / m.measured.tpotMs,
    ttft: m.measured.ttftMs === undefined ? undefined : p.ttftMs.mean / m.measured.ttftMs,
  };
});

describe('performance model vs 24 published measurements', () => {
  test('there are 24 cases, each with its source', () => {
    assert.equal(SERVING_MEASUREMENTS.length, 24);
    for (const m of SERVING_MEASUREMENTS) assert.match(m.source, /^https:\/\//, m.name);
  });

  test('output tokens/s: median ratio within 0.85-1.15, every case within 0.5-2x', () => {
    const ratios = rows.map((r) => r.tokens);
    const m = median(ratios);
    assert.ok(m >= 0.85 && m <= 1.15, `median ${m.toFixed(2)}`);
    for (const r of rows) assert.ok(r.tokens >= 0.5 && r.tokens <= 2, `${r.name}: ${r.tokens.toFixed(2)}`);
  });

  test('TPOT: median ratio within 0.85-1.15, every case within 0.5-2x', () => {
    const withTpot = rows.filter((r) => r.tpot !== undefined);
    assert.equal(withTpot.length, 13);
    const m = median(withTpot.map((r) => r.tpot!));
    assert.ok(m >= 0.85 && m <= 1.15, `median ${m.toFixed(2)}`);
    for (const r of withTpot) assert.ok(r.tpot! >= 0.5 && r.tpot! <= 2, `${r.name}: ${r.tpot!.toFixed(2)}`);
  });

  test('TTFT: median ratio within 0.6-1.6', () => {
    const m = median(rows.filter((r) => r.ttft !== undefined).map((r) => r.ttft!));
    assert.ok(m >= 0.6 && m <= 1.6, `median ${m.toFixed(2)}`);
  });

  test('dense NVIDIA cases at concurrency 1 (no batching, no queue) within 15 % on TPOT', () => {
    for (const r of rows.filter((x) => x.name.endsWith('-c1')))
      assert.ok(Math.abs(r.tpot! - 1) <= 0.15, `${r.name}: ${r.tpot!.toFixed(2)}`);
  });
});

describe("beyond the 24: dstack's DeepSeek-R1 runs on H200 and MI300X under vLLM, SGLang and TensorRT-LLM", () => {
  // 19 further published runs (source in test/fixtures/perf/dstackDeepseek.ts). TTFT is not held:
  // these engines' DeepSeek prefill queues (1-67 s) are not reproduced (see docs/performance-model.md).
  const ratios = DSTACK_DEEPSEEK_RUNS.map((run) => {
    const p = predictDstackRun(run);
    return {
      name: `${run.gpu} ${run.engine} c=${run.concurrency}`,
      tokens: p.outputTokensPerSecond / run.outputTokensPerS,
      tpot: p.tpotMs / run.tpotMs,
    };
  });

  test('output tokens/s and TPOT: median within 0.85-1.15 and every run within 0.5-2x', () => {
    for (const key of ['tokens', 'tpot'] as const) {
      const m = median(ratios.map((r) => r[key]));
      assert.ok(m >= 0.85 && m <= 1.15, `${key} median ${m.toFixed(2)}`);
      for (const r of ratios) assert.ok(r[key] >= 0.5 && r[key] <= 2, `${r.name} ${key}: ${r[key].toFixed(2)}`);
    }
  });
});

describe("beyond the 24: GPUStack's bursts (gpt-oss-120b on H100s, Qwen3-14B on an A100)", () => {
  test('output tokens/s and TPOT within 0.5-2x', () => {
    for (const run of GPUSTACK_BURSTS.filter((r) => r.held)) {
      const p = predictBurst(run);
      const tokens = p.outputTokensPerSecond / run.outputTokensPerS;
      const tpot = p.tpotMs / run.tpotMs;
      assert.ok(tokens >= 0.5 && tokens <= 2, `${run.name} tokens/s ${tokens.toFixed(2)}`);
      assert.ok(tpot >= 0.5 && tpot <= 2, `${run.name} TPOT ${tpot.toFixed(2)}`);
    }
  });
});
