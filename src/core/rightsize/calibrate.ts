/**
 * Calibration from observed usage: the generation tokens/s one replica sustained at the number of
 * requests it was running, over the right-sizer's window, fitted into the performance model the
 * way a `vllm bench serve` result is (perf/fit.ts), so that predictions for that model x card x TP
 * follow the user's own fleet.
 *
 * What counts as a sample: a step (one per minute of the window, the right-sizer's step) where the
 * pods ran on average at least MIN_RUNNING requests each and generated tokens. A fleet's load moves;
 * the model is fitted at one concurrency, the median of those steps, from the steps within
 * CONCURRENCY_BAND of it, and only when they add up to MIN_MINUTES. The measured figure is the median
 * tokens/s per pod over those steps (robust to the minutes a rollout or a burst skews).
 */
import type { ModelArchitecture } from '../catalog/architecture.ts';
import type { GpuSpec } from '../catalog/gpus.ts';
import type { BenchmarkRun, CalibrationEntry } from '../perf/calibration.ts';
import type { Engine } from '../perf/engines.ts';
import { fitRuns } from '../perf/fit.ts';
import { sizeUnit } from '../lint/sizingLookup.ts';
import type { Observed } from './queries.ts';
import { ASSUMED_INPUT_TOKENS, ASSUMED_OUTPUT_TOKENS, withObserved, type RightSizeOptions } from './recommend.ts';
import type { Workload } from './workloads.ts';

/** A step counts only with at least this many requests running per pod: an idle server says little about its speed. */
export const MIN_RUNNING = 4;
/** The steps at the fitted concurrency must add up to this much of the window. */
export const MIN_MINUTES = 30;
/** Steps within this share of the fitted concurrency (at least ±0.5 request) are taken as that concurrency. */
export const CONCURRENCY_BAND = 0.1;

/** Per-pod means at each step of the window: `[unix seconds, value]`. */
export interface CalibrationSeries {
  runningPerPod: [number, number][];
  tokensPerSecondPerPod: [number, number][];
  stepS: number;
  /** Mean prompt and generated tokens per finished request over the window, where the engine reports them. */
  inputTokens?: number;
  outputTokens?: number;
}

export type CalibrationSample =
  | {
      ok: true;
      concurrency: number;
      outputTokensPerSecond: number;
      /** Minutes of the window at that concurrency (the steps the figure is the median of). */
      minutes: number;
      inputTokens: number;
      outputTokens: number;
      /** Whether the lengths are the engine's own means or the right-sizer's assumption. */
      lengthsObserved: boolean;
    }
  | { ok: false; reason: string };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The one (concurrency, tokens/s) point the window supports, or why it supports none. */
export function calibrationSample(series: CalibrationSeries): CalibrationSample {
  const tokensAt = new Map(series.tokensPerSecondPerPod.map(([t, v]) => [t, v]));
  const steps = series.runningPerPod
    .map(([t, running]) => ({ running, tokens: tokensAt.get(t) }))
    .filter(
      (s): s is { running: number; tokens: number } =>
        Number.isFinite(s.running) && s.running >= MIN_RUNNING && s.tokens !== undefined && s.tokens > 0,
    );
  const minutes = (n: number) => (n * series.stepS) / 60;
  if (minutes(steps.length) < MIN_MINUTES)
    return {
      ok: false,
      reason: `only ${Math.round(minutes(steps.length))} minutes of the window had at least ${MIN_RUNNING} requests running per pod and tokens generated (${MIN_MINUTES} needed)`,
    };
  const concurrency = Math.max(1, Math.round(median(steps.map((s) => s.running))));
  const band = Math.max(0.5, CONCURRENCY_BAND * concurrency);
  const near = steps.filter((s) => Math.abs(s.running - concurrency) <= band);
  if (minutes(near.length) < MIN_MINUTES)
    return {
      ok: false,
      reason: `the load moved too much: only ${Math.round(minutes(near.length))} minutes ran near ${concurrency} requests per pod (${MIN_MINUTES} needed)`,
    };
  const lengthsObserved =
    series.inputTokens !== undefined &&
    series.outputTokens !== undefined &&
    series.inputTokens >= 1 &&
    series.outputTokens >= 1;
  return {
    ok: true,
    concurrency,
    outputTokensPerSecond: median(near.map((s) => s.tokens)),
    minutes: Math.round(minutes(near.length)),
    inputTokens: lengthsObserved ? Math.round(series.inputTokens!) : ASSUMED_INPUT_TOKENS,
    outputTokens: lengthsObserved ? Math.round(series.outputTokens!) : ASSUMED_OUTPUT_TOKENS,
    lengthsObserved,
  };
}

export interface FleetCalibrationContext {
  model: ModelArchitecture;
  gpu: GpuSpec;
  tp: number;
  engine: Engine;
  /** `prometheus <url> window <window> <namespace>/<name>`: the provenance predictions will carry. */
  source: string;
  /** When the window ended, ISO 8601. */
  observedAt: string;
}

/** The calibration entry for the sample (the fit of perf/fit.ts, at the observed setting). */
export function fleetCalibration(
  sample: Extract<CalibrationSample, { ok: true }>,
  c: FleetCalibrationContext,
): { ok: true; entry: CalibrationEntry } | { ok: false; reason: string } {
  const run: BenchmarkRun = {
    modelId: c.model.id,
    inputTokens: sample.inputTokens,
    outputTokens: sample.outputTokens,
    // More requests than clients: a steady state (fit.ts treats completed <= concurrency as one burst).
    completed: sample.concurrency * 100,
    concurrency: sample.concurrency,
    outputTokensPerSecond: sample.outputTokensPerSecond,
    metadata: {},
  };
  const fitted = fitRuns([run], { model: c.model, gpu: c.gpu, tp: c.tp, engine: c.engine, file: c.source });
  if (!fitted.ok) return { ok: false, reason: fitted.message };
  return {
    ok: true,
    entry: {
      ...fitted.value,
      source: {
        ...fitted.value.source,
        observed: {
          minutes: sample.minutes,
          at: c.observedAt,
          lengths: sample.lengthsObserved ? 'observed' : 'assumed',
        },
      },
    },
  };
}

/** What a workload's window gave calibration: an entry, or why none. */
export type WorkloadCalibrationResult =
  | { ok: true; entry: CalibrationEntry; sample: Extract<CalibrationSample, { ok: true }> }
  | { ok: false; reason: string };

/**
 * The calibration entry of one workload: its model, card and TP as the right-sizer reads them
 * (the manifest, with DCGM's GPU name and the engine's model_name where the file leaves them open).
 */
export function calibrateWorkload(
  w: Workload,
  observed: Observed,
  sample: CalibrationSample,
  options: RightSizeOptions,
  where: { source: string; observedAt: string },
): WorkloadCalibrationResult {
  if (!sample.ok) return sample;
  const engineName = w.unit.engine?.engine;
  if (engineName !== 'vllm' && engineName !== 'sglang')
    return { ok: false, reason: `the performance model has no profile for ${engineName ?? 'this engine'}` };
  const filled = withObserved(w, observed, options);
  const sizing = sizeUnit(filled.unit, filled.options);
  if (!sizing.ok) return { ok: false, reason: sizing.reason };
  if (sizing.settings.pp !== 1) return { ok: false, reason: 'pipeline-parallel replicas are not calibrated' };
  const fitted = fleetCalibration(sample, {
    model: sizing.model,
    gpu: sizing.gpu,
    tp: sizing.settings.tp,
    engine: engineName,
    source: where.source,
    observedAt: where.observedAt,
  });
  return fitted.ok ? { ok: true, entry: fitted.entry, sample } : fitted;
}
