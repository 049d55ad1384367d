/**
 * Measured against predicted, for the workbench's chart after a benchmark import: per run of the
 * file, its measured output tokens/s, the model's prediction before the fit (roofline) and after it
 * (calibrated), at the run's own setting.
 */
import type { BenchmarkRun, CalibrationEntry } from './calibration.ts';
import { runInput, type FitContext } from './fit.ts';
import { estimatePerformance } from './performance.ts';

/** One chart as the workbench draws it (also the protocol's payload). */
export interface PerformanceChartView {
  title: string;
  unit: string;
  points: { label: string; measured: number; roofline: number; calibrated: number }[];
  notes: string[];
}

export function performanceChart(
  runs: readonly BenchmarkRun[],
  context: Omit<FitContext, 'file'>,
  entry: CalibrationEntry,
): PerformanceChartView {
  const points: PerformanceChartView['points'] = [];
  for (const run of runs) {
    const input = runInput(run, context);
    const roofline = estimatePerformance(input);
    const calibrated = estimatePerformance({ ...input, calibration: entry, preferMeasured: false });
    if (!roofline.ok || !calibrated.ok) continue;
    const load = run.concurrency !== undefined ? `${run.concurrency} at once` : `${run.requestsPerSecond} req/s`;
    points.push({
      label: `${run.inputTokens} in / ${run.outputTokens} out, ${load}`,
      measured: run.outputTokensPerSecond,
      roofline: roofline.outputTokensPerSecond,
      calibrated: calibrated.outputTokensPerSecond,
    });
  }
  return {
    title: `${entry.model} on ${context.gpu.name} x ${entry.tp} (${entry.engine}), from ${entry.source.file}`,
    unit: 'output tokens/s',
    points,
    notes: [
      `Fitted: step times x ${entry.scales.step.toFixed(3)}, ${((entry.scales.serverOverheadS ?? 0) * 1000).toFixed(0)} ms server overhead per request; stored in .gpu-workbench/calibration.json and used by suggest, provisioning and estimate for this card x model x engine.`,
      'On the diagonal, prediction equals measurement.',
    ],
  };
}
