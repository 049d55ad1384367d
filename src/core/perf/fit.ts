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
  const result = estimatePerformance({ ...input, calibration: entry, preferMeasured: false });
  return result.ok ? result : result.reason;
}

/** Fits one run (see fitRuns for several). */
export function fitCalibration(run: BenchmarkRun, c: FitContext): Result<CalibrationEntry> {
  return fitRuns([run], c);
}

/**
 * Fits one entry to every run of a file (a concurrency sweep written with --append-result): the
 * step multiplier where the runs' log errors (TPOT and output tokens/s) sum to zero, then the server
 * overhead as the mean TTFT the runs leave unexplained. The entry records the last run's setting.
 */
export function fitRuns(runs: readonly BenchmarkRun[], c: FitContext): Result<CalibrationEntry> {
  const last = runs.at(-1);
  if (!last) return { ok: false, message: 'no run to fit' };
  const inputs = runs.map((run) => runInput(run, c));
  const roofline = estimatePerformance(inputs.at(-1)!);
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
        inputTokens: last.inputTokens,
        outputTokens: last.outputTokens,
        concurrency: last.concurrency,
        requestsPerSecond: last.requestsPerSecond,
      },
      measured: { outputTokensPerSecond: last.outputTokensPerSecond, tpotMs: last.tpotMs, ttftMs: last.ttftMs },
      roofline: {
        outputTokensPerSecond: roofline.outputTokensPerSecond,
        tpotMs: roofline.tpotMs,
        ttftMs: roofline.ttftMs.mean,
      },
      runs: runs.length,
    },
  };
  // Larger scale, slower steps: TPOT rises and throughput falls. With both measured, split the
  // error evenly between them (a run with varying lengths is not exactly a steady state).
  const logError = (run: BenchmarkRun, p: PerformanceEstimate) => {
    const tpotError = run.tpotMs !== undefined && run.outputTokens > 1 ? Math.log(p.tpotMs / run.tpotMs) : 0;
    return tpotError + Math.log(run.outputTokensPerSecond / p.outputTokensPerSecond);
  };
  let low = Math.log(0.05);
  let high = Math.log(20);
  for (let i = 0; i < 24; i++) {
    const mid = (low + high) / 2;
    let error = 0;
    for (const [k, input] of inputs.entries()) {
      const p = predict(input, { ...entry, scales: { step: Math.exp(mid) } });
      if (typeof p === 'string') return { ok: false, message: p };
      error += logError(runs[k]!, p);
    }
    if (error < 0) low = mid;
    else high = mid;
  }
  entry.scales = { step: Math.exp((low + high) / 2) };
  const unexplained: number[] = [];
  for (const [k, input] of inputs.entries()) {
    const ttft = runs[k]!.ttftMs;
    if (ttft === undefined) continue;
    const without = predict(input, { ...entry, scales: { ...entry.scales, serverOverheadS: 0 } });
    if (typeof without === 'string') return { ok: false, message: without };
    unexplained.push((ttft - without.ttftMs.mean) / 1000);
  }
  if (unexplained.length)
    entry.scales.serverOverheadS = Math.max(0, unexplained.reduce((x, y) => x + y, 0) / unexplained.length);
  return { ok: true, value: entry };
}
