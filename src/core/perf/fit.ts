/**
 * Fits the performance model to one benchmark run: the step-time multiplier by bisection until the
 * predicted output tokens/s and TPOT match (their errors split evenly when both are measured), then
 * the fixed server latency so that the predicted mean TTFT matches.
 */
import type { ModelArchitecture } from '../catalog/architecture.ts';
import type { GpuSpec } from '../catalog/gpus.ts';
import type { Result } from '../result.ts';
import type { KvCacheDtype } from '../sizing/kvCache.ts';
import type { BenchmarkRun, CalibrationEntry } from './calibration.ts';
import type { Engine } from './engines.ts';
import { estimatePerformance, type PerformanceEstimate, type PerformanceInput } from './performance.ts';

export interface FitContext {
  model: ModelArchitecture;
  gpu: GpuSpec;
  tp: number;
  engine: Engine;
  kvCacheDtype?: KvCacheDtype;
  /** The result file's name, as the calibration records it. */
  file: string;
}

/** The model's input for the run's setting (every request at once when the run had no limit). */
export function runInput(run: BenchmarkRun, c: Omit<FitContext, 'file'>): PerformanceInput {
  const burst = run.concurrency !== undefined && run.concurrency >= run.completed;
  return {
    model: c.model,
    gpu: c.gpu,
    tp: c.tp,
    engine: c.engine,
    kvCacheDtype: c.kvCacheDtype,
    inputTokens: run.inputTokens,
    outputTokens: run.outputTokens,
    load:
      run.concurrency !== undefined
        ? { concurrency: run.concurrency }
        : { requestsPerSecond: run.requestsPerSecond ?? 1 },
    requests: burst ? run.completed : undefined,
  };
}

function predict(input: PerformanceInput, entry: CalibrationEntry): PerformanceEstimate | string {
  const result = estimatePerformance({ ...input, calibration: entry });
  return result.ok ? result : result.reason;
}

export function fitCalibration(run: BenchmarkRun, c: FitContext): Result<CalibrationEntry> {
  const input = runInput(run, c);
  const roofline = estimatePerformance(input);
  if (!roofline.ok) return { ok: false, message: `the model cannot run this setting: ${roofline.reason}` };
  const entry: CalibrationEntry = {
    model: c.model.id,
    gpu: c.gpu.id,
    engine: c.engine,
    tp: c.tp,
    kvCacheDtype: c.kvCacheDtype,
    scales: { step: 1 },
    source: {
      file: c.file,
      setting: {
        inputTokens: run.inputTokens,
        outputTokens: run.outputTokens,
        concurrency: run.concurrency,
        requestsPerSecond: run.requestsPerSecond,
      },
      measured: { outputTokensPerSecond: run.outputTokensPerSecond, tpotMs: run.tpotMs, ttftMs: run.ttftMs },
      roofline: {
        outputTokensPerSecond: roofline.outputTokensPerSecond,
        tpotMs: roofline.tpotMs,
        ttftMs: roofline.ttftMs.mean,
      },
    },
  };
  // Larger scale, slower steps: TPOT rises and throughput falls. With both measured, split the
  // error evenly between them (a run with varying lengths is not exactly a steady state).
  const tooFast = (p: PerformanceEstimate) => {
    const tpotError = run.tpotMs !== undefined && run.outputTokens > 1 ? Math.log(p.tpotMs / run.tpotMs) : 0;
    return tpotError + Math.log(run.outputTokensPerSecond / p.outputTokensPerSecond) < 0;
  };
  let low = Math.log(0.05);
  let high = Math.log(20);
  for (let i = 0; i < 24; i++) {
    const mid = (low + high) / 2;
    const p = predict(input, { ...entry, scales: { step: Math.exp(mid) } });
    if (typeof p === 'string') return { ok: false, message: p };
    if (tooFast(p)) low = mid;
    else high = mid;
  }
  entry.scales = { step: Math.exp((low + high) / 2) };
  if (run.ttftMs !== undefined) {
    const without = predict(input, { ...entry, scales: { ...entry.scales, serverOverheadS: 0 } });
    if (typeof without === 'string') return { ok: false, message: without };
    entry.scales.serverOverheadS = Math.max(0, (run.ttftMs - without.ttftMs.mean) / 1000);
  }
  return { ok: true, value: entry };
}
