/**
 * Throughput and latency on the command line: the performance flags of `estimate`, and
 * `calibrate`, which fits the model to a `vllm bench serve --save-result` file and stores the fit
 * in the workspace's `.gpu-workbench/calibration.json`.
 */
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ModelArchitecture, WeightFormat } from '../core/catalog/architecture.ts';
import type { GpuSpec } from '../core/catalog/gpus.ts';
import { findCalibration, parseBenchmarkResults, withCalibration } from '../core/perf/calibration.ts';
import { ENGINES, type Engine } from '../core/perf/engines.ts';
import { fitRuns } from '../core/perf/fit.ts';
import { estimatePerformance, type PerformanceResult } from '../core/perf/performance.ts';
import { KV_CACHE_DTYPES, type KvCacheDtype } from '../core/sizing/kvCache.ts';
import { readCalibrationFile, writeCalibrationFile } from '../node/calibrationFile.ts';
import { safeJson, safeLine, safeText } from '../core/text/safeText.ts';
import { readRegularFile } from '../node/readLimited.ts';
import { gpuOf, loadModel, positiveInteger, positiveNumber, UsageError, type Io } from './io.ts';

export const PERF_USAGE = `  gpu-workbench estimate ... --input-tokens N --output-tokens N (--concurrency N | --rps R)
                         [--engine vllm|sglang|trtllm] [--enable-expert-parallel]   throughput, TPOT and TTFT at that load
  gpu-workbench calibrate --result <vllm bench serve result.json> --gpu <id> [--tp N]
                         [--engine vllm|sglang|trtllm] [--model M] [--kv-cache-dtype auto|fp8] [--json]`;

/** The flags `estimate` takes for a performance estimate. */
export const PERF_OPTIONS = {
  engine: { type: 'string' },
  'input-tokens': { type: 'string' },
  'output-tokens': { type: 'string' },
  concurrency: { type: 'string' },
  rps: { type: 'string' },
} as const;

export function engineFlag(value: string | undefined): Engine | undefined {
  if (value === undefined) return undefined;
  if (!ENGINES.includes(value as Engine)) throw new UsageError(`--engine must be one of ${ENGINES.join(', ')}`);
  return value as Engine;
}

export interface PerfFlags {
  engine?: string;
  'input-tokens'?: string;
  'output-tokens'?: string;
  concurrency?: string;
  rps?: string;
  /** vLLM's --enable-expert-parallel (the memory estimate takes it too). */
  'enable-expert-parallel'?: boolean;
}

/** Whether `estimate` was asked for throughput and latency. */
export function wantsPerformance(values: PerfFlags): boolean {
  return values.concurrency !== undefined || values.rps !== undefined;
}

/** Runs the performance model for `estimate`; the workspace's calibration applies when it has a fit. */
export async function performanceForEstimate(
  values: PerfFlags,
  model: ModelArchitecture,
  gpu: GpuSpec,
  layout: {
    tp: number;
    pp: number;
    weightFormat?: WeightFormat;
    kvCacheDtype: KvCacheDtype;
    maxNumSeqs?: number;
    maxNumBatchedTokens?: number;
    maxModelLen?: number;
  },
  io: Io,
): Promise<PerformanceResult> {
  if (values.concurrency !== undefined && values.rps !== undefined)
    throw new UsageError('give --concurrency or --rps, not both');
  const engine = engineFlag(values.engine) ?? 'vllm';
  const loaded = await readCalibrationFile(io.cwd);
  if (loaded.warning) io.err(`gpu-workbench: ${safeLine(loaded.warning)}`);
  return estimatePerformance({
    model,
    gpu,
    ...layout,
    expertParallel: values['enable-expert-parallel'] === true,
    engine,
    inputTokens: positiveInteger(values['input-tokens'], '--input-tokens', 1024),
    outputTokens: positiveInteger(values['output-tokens'], '--output-tokens', 256),
    load:
      values.rps !== undefined
        ? { requestsPerSecond: positiveNumber(values.rps, '--rps', undefined)! }
        : { concurrency: positiveInteger(values.concurrency, '--concurrency') },
    calibration: findCalibration(loaded.file, model, gpu, engine, layout.tp),
  });
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The JSON fields of a performance estimate (top level of `estimate --json`). */
export function performanceJson(p: PerformanceResult) {
  if (!p.ok) return { performance: { ok: false, reason: p.reason } };
  return {
    outputTokensPerSecond: round(p.outputTokensPerSecond),
    requestsPerSecond: round(p.requestsPerSecond, 3),
    tpotMs: round(p.tpotMs, 2),
    ttftMs: round(p.ttftMs.mean),
    ttftP50Ms: round(p.ttftMs.p50),
    ttftP90Ms: round(p.ttftMs.p90),
    ttftP99Ms: round(p.ttftMs.p99),
    ttftPercentilesMs: { p50: round(p.ttftMs.p50), p90: round(p.ttftMs.p90), p99: round(p.ttftMs.p99) },
    performance: {
      ok: true,
      engine: p.engine,
      source: p.provenance.kind,
      calibrationFile: p.provenance.kind === 'roofline' ? undefined : p.provenance.file,
      meanBatch: round(p.meanBatch),
      kvCacheTokens: p.kvCapacityTokens,
      e2eMs: round(p.e2eMs),
      assumptions: p.assumptions,
    },
  };
}

export function performanceText(p: PerformanceResult): string {
  return safeText(performanceLines(p));
}

function performanceLines(p: PerformanceResult): string {
  if (!p.ok) return `Throughput and latency: ${p.reason}`;
  const tag = p.provenance.kind === 'roofline' ? 'roofline' : `${p.provenance.kind} from ${p.provenance.file}`;
  return [
    `Throughput and latency (${p.engine}, ${tag}):`,
    `  ${p.outputTokensPerSecond.toFixed(0)} output tokens/s, ${p.requestsPerSecond.toFixed(2)} requests/s, TPOT ${p.tpotMs.toFixed(1)} ms`,
    `  TTFT mean ${p.ttftMs.mean.toFixed(0)} ms, p50 ${p.ttftMs.p50.toFixed(0)}, p90 ${p.ttftMs.p90.toFixed(0)}, p99 ${p.ttftMs.p99.toFixed(0)} ms`,
    ...p.assumptions.map((a) => `  - ${a}`),
  ].join('\n');
}

const MAX_RESULT_BYTES = 50 * 1024 * 1024;

export async function calibrateCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      result: { type: 'string' },
      gpu: { type: 'string' },
      tp: { type: 'string' },
      engine: { type: 'string' },
      model: { type: 'string' },
      'kv-cache-dtype': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (!values.result) throw new UsageError('--result is required (a file vllm bench serve --save-result wrote)');
  const path = resolve(io.cwd, values.result);
  const runs = parseBenchmarkResults(await readRegularFile(path, MAX_RESULT_BYTES));
  if (!runs.ok) throw new Error(`${values.result}: ${runs.message}`);
  const first = runs.value[0]!;
  const gpu = gpuOf(
    values.gpu ?? first.metadata.gpu,
    '--gpu is required (or --metadata gpu=<id> in the benchmark run)',
  );
  const tp = positiveInteger(values.tp ?? first.metadata.tp, '--tp', 1);
  const engine = engineFlag(values.engine ?? first.metadata.engine) ?? 'vllm';
  const kv = values['kv-cache-dtype'];
  if (kv !== undefined && !KV_CACHE_DTYPES.includes(kv as KvCacheDtype))
    throw new UsageError(`--kv-cache-dtype must be one of ${KV_CACHE_DTYPES.join(', ')}`);
  const model = await loadModel(
    values.model ?? first.modelId,
    io,
    '--model is required (the result names no model_id)',
  );
  const loaded = await readCalibrationFile(io.cwd);
  if (loaded.warning) io.err(`gpu-workbench: ${safeLine(loaded.warning)}`);
  // One entry per card x model x engine x TP, fitted to every run in the file at once.
  const fitted = fitRuns(runs.value, {
    model: model,
    gpu,
    tp,
    engine,
    kvCacheDtype: kv as KvCacheDtype | undefined,
    file: basename(path),
  });
  if (!fitted.ok) throw new Error(fitted.message);
  const fits = [fitted.value];
  const file = withCalibration(loaded.file, fitted.value);
  const written = await writeCalibrationFile(io.cwd, file);
  if (values.json) io.out(safeJson({ file: written, entries: fits }));
  else
    io.out(
      safeText(
        [
          `Calibrated ${model.id} on ${gpu.name} x ${tp} (${engine}) from ${basename(path)}; written to ${written}:`,
          ...fits.map((f) => {
            const m = f.source.measured;
            const r = f.source.roofline;
            return `  ${f.source.runs && f.source.runs > 1 ? `${f.source.runs} runs fitted together; the last, ` : ''}${f.source.setting.inputTokens} in / ${f.source.setting.outputTokens} out at ${f.source.setting.concurrency !== undefined ? `concurrency ${f.source.setting.concurrency}` : `${f.source.setting.requestsPerSecond} requests/s`}: measured ${m.outputTokensPerSecond.toFixed(0)} tok/s${m.tpotMs !== undefined ? `, TPOT ${m.tpotMs.toFixed(1)} ms` : ''}${m.ttftMs !== undefined ? `, TTFT ${m.ttftMs.toFixed(0)} ms` : ''}; roofline said ${r.outputTokensPerSecond.toFixed(0)} tok/s, TPOT ${r.tpotMs.toFixed(1)} ms, TTFT ${r.ttftMs.toFixed(0)} ms; step times x ${f.scales.step.toFixed(3)}, server overhead ${((f.scales.serverOverheadS ?? 0) * 1000).toFixed(0)} ms.`;
          }),
        ].join('\n'),
      ),
    );
  return 0;
}
