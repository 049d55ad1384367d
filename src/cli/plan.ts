import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { PackingResult, SolveProgram } from '../core/solver/packing.ts';
import { EXPORT_FORMATS, exportOutcome, isExportable, isExportFormat } from '../core/solver/outcomeExport.ts';
import { planJson } from '../core/solver/planExport.ts';
import type { PackingProblem } from '../core/solver/problem.ts';
import type { ProvisioningResult } from '../core/solver/provisioning.ts';
import type { Placement } from '../core/solver/plan.ts';
import { parsePlanProblem, solvePlan, type PlanOutcome } from '../core/solver/solvePlan.ts';
import { safeJson, safeLine } from '../core/text/safeText.ts';
import { readCalibrationFile } from '../node/calibrationFile.ts';
import { readRegularFile } from '../node/readLimited.ts';
import { GlpkWorkerClient, WATCHDOG_GRACE_MS } from '../node/solverClient.ts';
import { readStdinCapped, secondsFlag, UsageError, type Io } from './io.ts';

export const PLAN_USAGE = `  gpu-workbench plan <problem.json | -> [--json | --export kubernetes|vllm|json [--out FILE]] [--time-limit S]`;

/** A problem file: a few KiB in practice; 4 MiB holds the largest problem the caps allow. */
export const MAX_PROBLEM_BYTES = 4 * 1024 * 1024;

function readInput(target: string, io: Io): Promise<string> {
  if (target !== '-') return readRegularFile(resolve(io.cwd, target), MAX_PROBLEM_BYTES);
  return readStdinCapped(io, MAX_PROBLEM_BYTES, 'the problem on standard input');
}

function placementLines(problem: PackingProblem, placement: Placement | undefined): string[] {
  const memory = new Map(problem.gpus.map((g) => [g.type, g.memoryGiB]));
  return (placement?.gpus ?? []).map((g) => {
    const used = g.replicas.reduce((sum, r) => sum + r.memoryGiB, 0);
    return `${safeLine(`${g.gpuType}#${g.gpuIndex}`).padEnd(16)} ${`${used.toFixed(1)}/${memory.get(g.gpuType)} GiB`.padStart(14)}  ${g.replicas.map((r) => `${safeLine(r.model)}[${r.replica}]`).join(' ')}`;
  });
}

function planText(problem: PackingProblem, result: PackingResult): string {
  const lines = [result.message, ''];
  if (result.placement) lines.push(...placementLines(problem, result.placement));
  // No plan of its own (a timeout, a solver error): the greedy plan the message speaks of.
  else if (result.greedy?.placement)
    lines.push('First-fit decreasing plan:', ...placementLines(problem, result.greedy.placement));
  lines.push(
    '',
    `first-fit decreasing: ${result.greedy ? `${result.greedy.gpusUsed} GPUs, $${result.greedy.costPerHour.toFixed(2)}/h` : 'no placement'}`,
  );
  lines.push(
    `one replica per GPU:  ${result.onePerGpu ? `${result.onePerGpu.gpusUsed} GPUs, $${result.onePerGpu.costPerHour.toFixed(2)}/h` : 'no placement'}`,
  );
  return lines.join('\n');
}

function provisioningText(result: ProvisioningResult): string {
  const lines = [result.message, ''];
  for (const c of result.choices)
    lines.push(
      `${safeLine(c.model).padEnd(16)} ${c.gpuType.padEnd(10)} TP=${c.tp} x ${c.replicas}  ${(c.requestsPerSecond * c.replicas).toFixed(2)} req/s  $${(c.costPerHour * c.replicas).toFixed(2)}/h`,
    );
  if (result.front.length > 1)
    lines.push(
      '',
      'More spare capacity for more money (cost, mean capacity / demand):',
      ...result.front.map((p) => `  $${p.costPerHour.toFixed(2)}/h  ${p.headroom.toFixed(2)}x`),
    );
  return lines.join('\n');
}

/** Exit 0 with a plan, 1 when infeasible or no plan could be made, 2 on usage or input errors. */
export async function planCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      'time-limit': { type: 'string' },
      export: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('give one problem file, or - for standard input');
  const format = values.export;
  if (format !== undefined && !isExportFormat(format))
    throw new UsageError(`--export must be one of ${EXPORT_FORMATS.join(', ')}, not "${format.slice(0, 40)}"`);
  if (values.out !== undefined && format === undefined) throw new UsageError('--out needs --export');
  if (values.json && format !== undefined) throw new UsageError('give --json or --export, not both');
  const timeLimitSeconds = secondsFlag(values['time-limit'], '--time-limit', 10);
  const text = await readInput(positionals[0]!, io);
  const problem = parsePlanProblem(text);
  if (!problem.ok) throw new UsageError(problem.message);
  const client = new GlpkWorkerClient(join(__dirname, 'solver-worker.js'));
  const solve: SolveProgram = (program, options) => client.solve(program, options);
  // The time limit bounds the whole command, however many programs a problem takes to solve.
  let overran: NodeJS.Timeout | undefined;
  const deadline = new Promise<'overran'>((done) => {
    overran = setTimeout(() => done('overran'), Math.round(timeLimitSeconds * 1000) + 2 * WATCHDOG_GRACE_MS);
  });
  const finished = (result: unknown): result is 'overran' => result === 'overran';
  try {
    // Per-replica throughput comes from the workspace's calibration where it has a fit.
    const calibration = await readCalibrationFile(io.cwd);
    if (calibration.warning) io.err(`gpu-workbench: ${safeLine(calibration.warning)}`);
    const plan = await Promise.race([
      solvePlan(problem.value, solve, timeLimitSeconds, { calibration: calibration.file }),
      deadline,
    ]);
    if (finished(plan)) return timedOut(io, timeLimitSeconds);
    if (format !== undefined) return await exportPlan(plan, format, values.out, io);
    if (plan.kind === 'provisioning') {
      io.out(values.json ? safeJson(plan.result) : provisioningText(plan.result));
      return plan.result.choices.length > 0 ? 0 : 1;
    }
    io.out(values.json ? safeJson(planJson(plan.result)) : planText(plan.problem, plan.result));
    return plan.result.placement ? 0 : 1;
  } finally {
    clearTimeout(overran);
    client.dispose();
  }
}

/**
 * The plan in an export format (the workbench's "Open as …" text), on standard output or into
 * `out`; a plan with nothing to run (infeasible, no solution in time) exports nothing and says why.
 */
async function exportPlan(
  plan: PlanOutcome,
  format: Parameters<typeof exportOutcome>[1],
  out: string | undefined,
  io: Io,
): Promise<number> {
  if (!isExportable(plan)) {
    io.err(`gpu-workbench: nothing to export (${plan.result.status}): ${safeLine(plan.result.message)}`);
    return 1;
  }
  const text = exportOutcome(plan, format);
  if (out === undefined) {
    io.out(text.trimEnd());
    return 0;
  }
  const path = resolve(io.cwd, out);
  await writeFile(path, text);
  io.err(`gpu-workbench: wrote the plan as ${format} to ${safeLine(path)}`);
  return 0;
}

function timedOut(io: Io, timeLimitSeconds: number): number {
  io.err(`gpu-workbench: no plan within the ${timeLimitSeconds} s time limit; the solver was stopped.`);
  return 1;
}
