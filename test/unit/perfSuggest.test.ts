/**
 * Suggestions at the requested operating point, from the performance model: GPUStack's published
 * Qwen3-8B on one H100 at concurrency 1 (132.86 output tokens/s, TPOT 7.28 ms; source in
 * test/fixtures/perf/servingMeasurements.ts), latency targets under a request rate, the engine and
 * dtype options, and a workspace calibration.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findGpu } from '../../src/core/catalog/gpus.ts';
import { findModel } from '../../src/core/catalog/models.ts';
import { EMPTY_CALIBRATION, withCalibration } from '../../src/core/perf/calibration.ts';
import { suggest } from '../../src/core/sizing/suggest.ts';

const qwen = findModel('Qwen/Qwen3-8B')!.architecture;
const h100 = findGpu('h100-sxm')!;
const chat = { contextLength: 8192, inputTokens: 233, outputTokens: 221 };

describe('suggest at the operating point', () => {
  test('concurrency 1: one request per replica at about 133 tok/s, not the batch the KV cache could hold', () => {
    const result = suggest(qwen, [h100], { ...chat, concurrency: 1 });
    assert.ok(result.ok);
    assert.equal(result.best.batch, 1);
    assert.ok(Math.abs(result.best.perReplica.tokensPerSecond / 132.86 - 1) <= 0.15);
    assert.ok(Math.abs(result.best.perReplica.tpotMs / 7.28 - 1) <= 0.15);
    assert.deepEqual(result.best.provenance, { kind: 'roofline' });
  });

  test('a request rate with a TPOT target: the replicas carry the rate and each meets the target', () => {
    const result = suggest(qwen, [h100], { ...chat, requestsPerSecond: 40, tpotMsMax: 15 });
    assert.ok(result.ok);
    const s = result.best;
    assert.ok(s.perReplica.tpotMs <= 15, String(s.perReplica.tpotMs));
    assert.ok(s.replicas * s.perReplica.requestsPerSecond >= 40);
  });

  test('engine and dtypes reach the estimate: fp8 linear layers take 1 byte instead of 2 (9.4 of 16.4 GB)', () => {
    const bf16 = suggest(qwen, [h100], { ...chat, concurrency: 8 });
    const fp8 = suggest(
      qwen,
      [h100],
      { ...chat, concurrency: 8 },
      { engine: 'trtllm', weightFormat: 'fp8', kvCacheDtype: 'fp8' },
    );
    assert.ok(bf16.ok && fp8.ok);
    assert.equal(fp8.best.engine, 'trtllm');
    // Linear layers halve; the 16-bit embeddings (151936 x 4096 x 2 tables) do not.
    assert.ok(fp8.best.estimate.weightsBytes < 0.65 * bf16.best.estimate.weightsBytes);
    assert.ok(fp8.best.perReplica.tpotMs < bf16.best.perReplica.tpotMs);
  });

  test('a calibration for this card x model x engine is used and named: step times x 2, TPOT about x 2', () => {
    const calibration = withCalibration(EMPTY_CALIBRATION, {
      model: 'Qwen/Qwen3-8B',
      gpu: 'h100-sxm',
      engine: 'vllm',
      tp: 1,
      scales: { step: 2 },
      source: {
        file: 'run.json',
        setting: { inputTokens: 1000, outputTokens: 100, concurrency: 64 },
        measured: { outputTokensPerSecond: 1 },
        roofline: { outputTokensPerSecond: 1, tpotMs: 1, ttftMs: 1 },
      },
    });
    const plain = suggest(qwen, [h100], { ...chat, concurrency: 1 });
    const fitted = suggest(qwen, [h100], { ...chat, concurrency: 1 }, { calibration });
    assert.ok(plain.ok && fitted.ok);
    assert.deepEqual(fitted.best.provenance, { kind: 'calibrated', file: 'run.json' });
    const ratio = fitted.best.perReplica.tpotMs / plain.best.perReplica.tpotMs;
    assert.ok(Math.abs(ratio - 2) < 0.05, String(ratio));
  });
});
