/**
 * Bring your own measurements: read the result files `vllm bench serve --save-result` writes (and
 * the older benchmarks/benchmark_serving.py ones, whose field names it kept), then fit the
 * performance model's two factors for that card x model x engine so that it reproduces the run:
 * a multiplier on step time (fitted to the measured TPOT, or to output tokens/s when TPOT is
 * missing) and the fixed server latency before the first token (fitted to the measured TTFT).
 *
 * Field names are vLLM's (vllm/benchmarks/serve.py): top level `date`, `backend`, `model_id`,
 * `num_prompts`, `request_rate` (a number or "inf"), `burstiness`, `max_concurrency`, then the
 * run's `duration`, `completed`, `total_input_tokens`, `total_output_tokens`,
 * `request_throughput`, `output_throughput`, `mean_ttft_ms`, `median_ttft_ms`, `p99_ttft_ms`,
 * `mean_tpot_ms`, ... and `--metadata KEY=VALUE` pairs merged at the top level.
 * `--append-result` writes one JSON object per line.
 */
import type { ModelArchitecture } from '../catalog/architecture.ts';
import type { GpuSpec } from '../catalog/gpus.ts';
import type { Result } from '../result.ts';
import type { KvCacheDtype } from '../sizing/kvCache.ts';
import type { Engine } from './engines.ts';
import type { StepScales } from './stepCost.ts';

/** One benchmark run, in the fields the performance model needs. */
export interface BenchmarkRun {
  modelId: string;
  /** Mean tokens per request over completed requests. */
  inputTokens: number;
  outputTokens: number;
  completed: number;
  /** Clients at once (`max_concurrency`); with an infinite rate and none, every request at once. */
  concurrency?: number;
  /** Poisson arrival rate; absent when "inf". */
  requestsPerSecond?: number;
  outputTokensPerSecond: number;
  tpotMs?: number;
  ttftMs?: number;
  /** `--metadata` pairs and other top-level strings (gpu=..., tp=..., engine=...). */
  metadata: Record<string, string>;
}

const KNOWN_FIELDS = new Set([
  'date',
  'endpoint_type',
  'backend',
  'label',
  'model_id',
  'tokenizer_id',
  'best_of',
  'use_beam_search',
  'request_rate',
]);

const positive = (x: number | undefined) => (x !== undefined && x > 0 ? x : undefined);

function numberField(o: Record<string, unknown>, key: string): number | undefined {
  const v = o[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A metric of AIPerf / GenAI-Perf's aggregated export: `{ "unit": ..., "avg": ..., "p50": ... }`. */
function average(o: Record<string, unknown>, key: string): number | undefined {
  const metric = o[key];
  if (typeof metric !== 'object' || metric === null) return undefined;
  return numberField(metric as Record<string, unknown>, 'avg');
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * NVIDIA AIPerf's `profile_export_aiperf.json` (and GenAI-Perf's `profile_export_genai_perf.json`,
 * its predecessor, with the same metric objects): time_to_first_token, inter_token_latency,
 * output_token_throughput, input/output_sequence_length, request_count, and the load in
 * input_config (loadgen.concurrency or request_rate for AIPerf, top-level for GenAI-Perf).
 */
function aiperfRunOf(o: Record<string, unknown>, index: number): Result<BenchmarkRun> {
  const ttft = average(o, 'time_to_first_token');
  const requests = average(o, 'request_count');
  const totalInput = average(o, 'total_isl');
  const totalOutput = average(o, 'total_osl');
  const inputTokens =
    average(o, 'input_sequence_length') ?? (totalInput && requests ? totalInput / requests : undefined);
  const outputTokens =
    average(o, 'output_sequence_length') ?? (totalOutput && requests ? totalOutput / requests : undefined);
  const duration = average(o, 'benchmark_duration');
  const throughput =
    average(o, 'output_token_throughput') ?? (totalOutput && duration ? totalOutput / duration : undefined);
  if (inputTokens === undefined || outputTokens === undefined || !(throughput && throughput > 0))
    return {
      ok: false,
      message: `result ${index + 1} (AIPerf/GenAI-Perf) lacks input/output sequence lengths or output token throughput`,
    };
  const config = record(o.input_config);
  const loadgen = { ...config, ...record(config.loadgen) };
  const concurrency = numberField(loadgen, 'concurrency');
  const rate = numberField(loadgen, 'request_rate');
  const endpoint = record(config.endpoint);
  const names = endpoint.model_names ?? config.model_names ?? config.model;
  return {
    ok: true,
    value: {
      modelId: Array.isArray(names) && typeof names[0] === 'string' ? names[0] : '',
      inputTokens: Math.max(1, Math.round(inputTokens)),
      outputTokens: Math.max(1, Math.round(outputTokens)),
      completed: Math.max(1, Math.round(requests ?? 1)),
      concurrency: concurrency && concurrency > 0 ? concurrency : undefined,
      requestsPerSecond: concurrency ? undefined : rate && rate > 0 ? rate : undefined,
      outputTokensPerSecond: throughput,
      tpotMs: positive(average(o, 'inter_token_latency')),
      ttftMs: positive(ttft),
      metadata: {},
    },
  };
}

function runOf(o: Record<string, unknown>, index: number): Result<BenchmarkRun> {
  if (average(o, 'time_to_first_token') !== undefined || average(o, 'request_latency') !== undefined)
    return aiperfRunOf(o, index);
  const completed = numberField(o, 'completed');
  const input = numberField(o, 'total_input_tokens');
  const output = numberField(o, 'total_output_tokens');
  const throughput = numberField(o, 'output_throughput');
  if (completed === undefined || input === undefined || output === undefined || throughput === undefined)
    return {
      ok: false,
      message: `result ${index + 1} lacks completed, total_input_tokens, total_output_tokens or output_throughput: not a vllm bench serve / benchmark_serving.py (or AIPerf / GenAI-Perf) result`,
    };
  if (completed < 1) return { ok: false, message: `result ${index + 1} has no completed request` };
  if (!(throughput > 0) || input < 0 || output <= 0)
    return { ok: false, message: `result ${index + 1} has no output tokens/s to fit to` };
  const rate = o.request_rate;
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(o))
    if (typeof v === 'string' && !KNOWN_FIELDS.has(k) && k.length <= 64) metadata[k] = v.slice(0, 200);
  const maxConcurrency = numberField(o, 'max_concurrency');
  const numPrompts = numberField(o, 'num_prompts') ?? completed;
  const finiteRate = typeof rate === 'number' && Number.isFinite(rate) && rate > 0 ? rate : undefined;
  return {
    ok: true,
    value: {
      modelId: typeof o.model_id === 'string' ? o.model_id : '',
      inputTokens: Math.max(1, Math.round(input / completed)),
      outputTokens: Math.max(1, Math.round(output / completed)),
      completed,
      concurrency: maxConcurrency ?? (finiteRate === undefined ? numPrompts : undefined),
      requestsPerSecond: finiteRate,
      outputTokensPerSecond: throughput,
      tpotMs: positive(numberField(o, 'mean_tpot_ms')),
      ttftMs: positive(numberField(o, 'mean_ttft_ms')),
      metadata,
    },
  };
}

/** Parses one result file: a JSON object, or one object per line (`--append-result`). */
export function parseBenchmarkResults(text: string): Result<BenchmarkRun[]> {
  if (text.length > 50_000_000) return { ok: false, message: 'result file is over 50 MB' };
  const trimmed = text.trim();
  const chunks = trimmed.startsWith('[') ? [trimmed] : trimmed.split(/\r?\n/).filter((l) => l.trim());
  const objects: unknown[] = [];
  for (const chunk of chunks) {
    try {
      const value: unknown = JSON.parse(chunk);
      objects.push(...(Array.isArray(value) ? value : [value]));
    } catch {
      // A pretty-printed single object spans lines: try the whole text once.
      if (chunks.length > 1) {
        try {
          objects.splice(0, objects.length, JSON.parse(trimmed));
          break;
        } catch {
          // fall through
        }
      }
      return { ok: false, message: 'not JSON (expected the file vllm bench serve --save-result writes)' };
    }
  }
  const runs: BenchmarkRun[] = [];
  for (const [i, o] of objects.entries()) {
    if (typeof o !== 'object' || o === null) return { ok: false, message: `result ${i + 1} is not an object` };
    const run = runOf(o as Record<string, unknown>, i);
    if (!run.ok) return run;
    runs.push(run.value);
  }
  if (runs.length === 0) return { ok: false, message: 'no result in the file' };
  return { ok: true, value: runs };
}

/** A fitted entry of `.gpu-workbench/calibration.json`. */
export interface CalibrationEntry {
  model: string;
  gpu: string;
  engine: Engine;
  tp: number;
  kvCacheDtype?: KvCacheDtype;
  scales: StepScales;
  source: {
    file: string;
    setting: { inputTokens: number; outputTokens: number; concurrency?: number; requestsPerSecond?: number };
    measured: { outputTokensPerSecond: number; tpotMs?: number; ttftMs?: number };
    /** The uncalibrated prediction at the same setting, for the record. */
    roofline: { outputTokensPerSecond: number; tpotMs: number; ttftMs: number };
    /** How many runs of the file the factors were fitted to (the setting above is the last one). */
    runs?: number;
    /**
     * Fitted to a serving fleet's own metrics (rightsize --calibrate) rather than a benchmark run:
     * `file` reads `prometheus <url> window <w> <namespace>/<name>`. Minutes of the window at the
     * setting, when the window ended, and whether the token lengths were the engine's or assumed.
     */
    observed?: { minutes: number; at: string; lengths: 'observed' | 'assumed' };
  };
}

export interface CalibrationFile {
  version: 1;
  entries: CalibrationEntry[];
}

export const EMPTY_CALIBRATION: CalibrationFile = { version: 1, entries: [] };

function isEntry(value: unknown): value is CalibrationEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  const scales = e.scales as Record<string, unknown> | undefined;
  const source = e.source as Record<string, unknown> | undefined;
  return (
    typeof e.model === 'string' &&
    typeof e.gpu === 'string' &&
    (e.engine === 'vllm' || e.engine === 'sglang' || e.engine === 'trtllm') &&
    typeof e.tp === 'number' &&
    typeof scales?.step === 'number' &&
    Number.isFinite(scales.step) &&
    scales.step > 0 &&
    (scales.serverOverheadS === undefined ||
      (typeof scales.serverOverheadS === 'number' && scales.serverOverheadS >= 0)) &&
    typeof source?.file === 'string'
  );
}

/** Reads calibration.json; entries that do not parse are dropped and reported. */
export function parseCalibration(text: string): Result<{ file: CalibrationFile; dropped: number }> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, message: 'calibration.json is not JSON' };
  }
  const entries = (raw as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(entries)) return { ok: false, message: 'calibration.json has no "entries" list' };
  const good = entries.filter(isEntry);
  return { ok: true, value: { file: { version: 1, entries: good }, dropped: entries.length - good.length } };
}

/** The entry for this card x model x engine, preferring the same TP degree. */
export function findCalibration(
  file: CalibrationFile | undefined,
  model: ModelArchitecture,
  gpu: GpuSpec,
  engine: Engine,
  tp: number,
): CalibrationEntry | undefined {
  const matches = (file?.entries ?? []).filter(
    (e) => e.model.toLowerCase() === model.id.toLowerCase() && e.gpu === gpu.id && e.engine === engine,
  );
  return matches.find((e) => e.tp === tp) ?? matches[0];
}

/** Replaces the entry for the same card x model x engine x TP, or adds it. */
export function withCalibration(file: CalibrationFile, entry: CalibrationEntry): CalibrationFile {
  const same = (e: CalibrationEntry) =>
    e.model.toLowerCase() === entry.model.toLowerCase() &&
    e.gpu === entry.gpu &&
    e.engine === entry.engine &&
    e.tp === entry.tp;
  return { version: 1, entries: [...file.entries.filter((e) => !same(e)), entry] };
}
