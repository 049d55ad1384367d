/** Sizing figures: estimator speed, a full suggestion sweep, and the error against vLLM's published numbers. */
import { findGpu, GPU_CATALOG } from '../src/core/catalog/gpus.ts';
import { findModel } from '../src/core/catalog/models.ts';
import { estimateServingMemory, GIB, vllmDefaults } from '../src/core/sizing/servingMemory.ts';
import { suggest } from '../src/core/sizing/suggest.ts';
import { median, type Row } from './report.ts';

/** vLLM V1 on one H100 80GB, utilization 0.9, max_model_len 16000 (the sizing issue's figures). */
const PUBLISHED: [string, number, number][] = [
  ['meta-llama/Llama-3.1-8B-Instruct', 1, 51.38],
  ['Qwen/Qwen3-0.6B', 1, 64.45],
  ['RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic', 2, 32.0],
  ['RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic', 1, -1.44],
  ['Qwen/Qwen3-32B', 1, 4.45],
];

export function sizingRows(): Row[] {
  const h100 = findGpu('h100-sxm')!;
  const llama = findModel('meta-llama/Llama-3.1-8B-Instruct')!.architecture;
  const settings = { ...vllmDefaults(llama, h100), maxModelLen: 16000 };
  for (let i = 0; i < 200; i++) estimateServingMemory(llama, h100, settings); // warm up
  const estimates: number[] = [];
  for (let round = 0; round < 20; round++) {
    const started = performance.now();
    for (let i = 0; i < 100; i++) estimateServingMemory(llama, h100, settings);
    estimates.push((performance.now() - started) / 100);
  }
  const gpus = GPU_CATALOG.filter((g) => g.datacenter).slice(0, 10);
  const seventy = findModel('meta-llama/Llama-3.1-70B-Instruct')!.architecture;
  const sweeps: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    suggest(seventy, gpus, {
      contextLength: 8192,
      inputTokens: 1000,
      outputTokens: 200,
      requestsPerSecond: 10,
      tpotMsMax: 50,
    });
    sweeps.push(performance.now() - started);
  }
  const rows: Row[] = [
    {
      figure: 'one memory estimate (Llama-3.1-8B on H100)',
      value: median(estimates) * 1000,
      unit: 'µs',
      baseline: 1000,
      baselineNote: 'budget: 1 ms',
    },
    {
      figure: `suggestion sweep: all TP/PP layouts x ${gpus.length} GPU types (Llama-3.1-70B)`,
      value: median(sweeps),
      unit: 'ms',
      baseline: 500,
      baselineNote: 'budget: 0.5 s (every layout simulated under continuous batching; was 50 ms for a closed formula)',
    },
  ];
  for (const [id, tp, kv] of PUBLISHED) {
    const a = findModel(id)!.architecture;
    const e = estimateServingMemory(a, h100, { ...vllmDefaults(a, h100), tp, maxModelLen: 16000 });
    const got = e.kvCacheBytes / GIB;
    rows.push({
      figure: `KV cache error, ${id.split('/')[1]} TP=${tp}: ${got.toFixed(2)} vs ${kv} GiB`,
      value: (Math.abs(got - kv) / Math.abs(kv)) * 100,
      unit: '%',
      baseline: 5,
      baselineNote: 'budget: within 5 % of vLLM',
    });
  }
  return rows;
}
