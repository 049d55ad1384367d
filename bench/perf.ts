/**
 * The performance model against 24 published serving measurements: predicted / measured for
 * output tokens/s, TPOT and TTFT, case by case (sources in test/fixtures/perf/servingMeasurements.ts),
 * then the medians and ranges the issue asks for (tokens/s and TPOT: median 0.85-1.15, every case
 * 0.5-2x; TTFT: median 0.6-1.6).
 */
import { DSTACK_DEEPSEEK_RUNS } from '../test/fixtures/perf/dstackDeepseek.ts';
import { GPUSTACK_BURSTS } from '../test/fixtures/perf/gpustackBursts.ts';
import { predictDstackRun, predictBurst, predictMeasurement } from '../test/fixtures/perf/predict.ts';
import { SERVING_MEASUREMENTS } from '../test/fixtures/perf/servingMeasurements.ts';
import { median, type Row } from './report.ts';

export function perfRows(): Row[] {
  const rows: Row[] = [];
  const ratios: Record<'tok/s' | 'TPOT' | 'TTFT', number[]> = { 'tok/s': [], TPOT: [], TTFT: [] };
  for (const m of SERVING_MEASUREMENTS) {
    const p = predictMeasurement(m);
    const figures: ['tok/s' | 'TPOT' | 'TTFT', number, number | undefined, string][] = [
      ['tok/s', p.outputTokensPerSecond, m.measured.outputTokensPerS, 'tok/s'],
      ['TPOT', p.tpotMs, m.measured.tpotMs, 'ms'],
      ['TTFT', p.ttftMs.mean, m.measured.ttftMs, 'ms'],
    ];
    for (const [what, predicted, measured, unit] of figures) {
      if (measured === undefined) continue;
      ratios[what].push(predicted / measured);
      rows.push({
        figure: `${what} ${m.name}`,
        value: predicted,
        unit,
        baseline: measured,
        baselineNote: `measured (${m.engineText})`,
      });
    }
  }
  for (const [what, list] of Object.entries(ratios)) {
    rows.push({
      figure: `${what}: median predicted / measured over ${list.length} cases (range ${Math.min(...list).toFixed(2)}-${Math.max(...list).toFixed(2)})`,
      value: median(list),
      unit: 'x',
      baseline: 1,
      baselineNote: what === 'TTFT' ? 'target: median 0.6-1.6' : 'target: median 0.85-1.15, every case 0.5-2',
    });
  }
  const extra: Record<'tok/s' | 'TPOT', number[]> = { 'tok/s': [], TPOT: [] };
  for (const run of DSTACK_DEEPSEEK_RUNS) {
    const p = predictDstackRun(run);
    const name = `dstack DeepSeek-R1 8x${run.gpu} ${run.engine} c=${run.concurrency}`;
    extra['tok/s'].push(p.outputTokensPerSecond / run.outputTokensPerS);
    extra.TPOT.push(p.tpotMs / run.tpotMs);
    rows.push(
      {
        figure: `tok/s ${name}`,
        value: p.outputTokensPerSecond,
        unit: 'tok/s',
        baseline: run.outputTokensPerS,
        baselineNote: 'measured (dstack)',
      },
      { figure: `TPOT ${name}`, value: p.tpotMs, unit: 'ms', baseline: run.tpotMs, baselineNote: 'measured (dstack)' },
      {
        figure: `TTFT ${name}`,
        value: p.ttftMs.mean,
        unit: 'ms',
        baseline: run.ttftMs,
        baselineNote: 'measured (dstack; not reproduced)',
      },
    );
  }
  for (const [what, list] of Object.entries(extra))
    rows.push({
      figure: `${what}: median over ${list.length} further dstack runs (range ${Math.min(...list).toFixed(2)}-${Math.max(...list).toFixed(2)})`,
      value: median(list),
      unit: 'x',
      baseline: 1,
      baselineNote: 'every case 0.5-2',
    });
  for (const run of GPUSTACK_BURSTS) {
    let p;
    try {
      p = predictBurst(run);
    } catch (error) {
      rows.push({
        figure: `GPUStack burst ${run.name}: ${(error as Error).message}`,
        value: 0,
        unit: 'tok/s',
        baseline: run.outputTokensPerS,
        baselineNote: 'not estimated',
      });
      continue;
    }
    const name = `GPUStack burst ${run.name}`;
    const note = run.held ? 'measured (GPUStack)' : 'measured (GPUStack; a known miss)';
    rows.push(
      {
        figure: `tok/s ${name}`,
        value: p.outputTokensPerSecond,
        unit: 'tok/s',
        baseline: run.outputTokensPerS,
        baselineNote: note,
      },
      { figure: `TPOT ${name}`, value: p.tpotMs, unit: 'ms', baseline: run.tpotMs, baselineNote: note },
      { figure: `TTFT ${name}`, value: p.ttftMs.mean, unit: 'ms', baseline: run.ttftMs, baselineNote: note },
    );
  }
  return rows;
}
