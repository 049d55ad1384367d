/**
 * The workbench's measured-against-predicted chart after a benchmark import: one point per run at
 * the run's setting, the calibrated prediction on the diagonal (within 5 % of GPUStack's published
 * 496.88 tok/s for Qwen3-8B on one H100 at concurrency 4), and a message guard that refuses tampered
 * payloads.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { findGpu } from '../../src/core/catalog/gpus.ts';
import { findModel } from '../../src/core/catalog/models.ts';
import { parseBenchmarkResults } from '../../src/core/perf/calibration.ts';
import { performanceChart } from '../../src/core/perf/chartView.ts';
import { fitRuns } from '../../src/core/perf/fit.ts';
import { isExtensionToWebview } from '../../src/shared/protocol.ts';

describe('measured against predicted', () => {
  const text = readFileSync(
    join(import.meta.dirname, '..', 'fixtures', 'perf', 'benchmark_serving-qwen3-8b-h100-c4.json'),
    'utf8',
  );
  const runs = parseBenchmarkResults(text);
  assert.ok(runs.ok);
  const context = {
    model: findModel('Qwen/Qwen3-8B')!.architecture,
    gpu: findGpu('h100-sxm')!,
    tp: 1,
    engine: 'vllm' as const,
  };
  const fitted = fitRuns(runs.value, { ...context, file: 'run.json' });
  assert.ok(fitted.ok);
  const chart = performanceChart(runs.value, context, fitted.value);

  test('one point per run; calibrated on the diagonal, roofline beside it', () => {
    assert.equal(chart.points.length, 1);
    const p = chart.points[0]!;
    assert.equal(p.measured, 496.88);
    assert.ok(Math.abs(p.calibrated / 496.88 - 1) <= 0.05, String(p.calibrated));
    assert.ok(p.roofline > 0);
    assert.match(chart.title, /Qwen\/Qwen3-8B .* run\.json/);
  });

  test('the message passes the guard; a tampered one does not', () => {
    assert.ok(isExtensionToWebview({ type: 'performanceChart', chart }));
    assert.equal(
      isExtensionToWebview({ type: 'performanceChart', chart: { ...chart, points: [{ label: 1 }] } }),
      false,
    );
    assert.equal(isExtensionToWebview({ type: 'performanceChart', chart, extra: 1 }), false);
  });
});
