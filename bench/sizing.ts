/** Sizing figures: estimator speed, a full suggestion sweep, and the error against published start-up figures. */
import { findGpu, GPU_CATALOG } from '../src/core/catalog/gpus.ts';
import { findModel } from '../src/core/catalog/models.ts';
import { estimateServingMemory, vllmDefaults } from '../src/core/sizing/servingMemory.ts';
import { suggest } from '../src/core/sizing/suggest.ts';
import { memoryErrorLines } from './memoryTable.ts';
import { median, type Row } from './report.ts';

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
  // Every published start-up figure collected (the table itself: printMemoryErrorTable).
  const lines = memoryErrorLines();
  const errors = lines.map((l) => l.errorPercent);
  rows.push(
    {
      figure: `memory estimate vs ${lines.length} published start-up figures: median error`,
      value: median(errors),
      unit: '%',
      baseline: 3,
      baselineNote: 'target: median <= 3 %',
    },
    {
      figure: 'memory estimate: worst error (the published figures above zero)',
      value: Math.max(...lines.filter((l) => l.want > 0).map((l) => l.errorPercent)),
      unit: '%',
      baseline: 10,
      baselineNote: 'outside check: within 10 % (or 0.4 GiB)',
    },
  );
  return rows;
}
