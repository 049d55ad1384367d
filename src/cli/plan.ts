import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { solvePacking, type PackingResult, type SolveProgram } from '../core/solver/packing.ts';
import { planJson } from '../core/solver/planExport.ts';
import { parsePackingProblem, type PackingProblem } from '../core/solver/problem.ts';
import {
  isProvisioning,
  parseProvisioningProblem,
  solveProvisioning,
  type ProvisioningResult,
} from '../core/solver/provisioning.ts';
import { readCalibrationFile } from '../node/calibrationFile.ts';
import { GlpkWorkerClient } from '../node/solverClient.ts';
import { positiveNumber, UsageError, type Io } from './io.ts';

export const PLAN_USAGE = `  gpu-workbench plan <problem.json | -> [--json] [--time-limit S]`;

async function readInput(target: string, io: Io): Promise<string> {
  if (target !== '-') return readFile(resolve(io.cwd, target), 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function planText(problem: PackingProblem, result: PackingResult): string {
  const memory = new Map(problem.gpus.map((g) => [g.type, g.memoryGiB]));
  const lines = [result.message, ''];
  for (const g of result.placement?.gpus ?? []) {
    const used = g.replicas.reduce((sum, r) => sum + r.memoryGiB, 0);
    lines.push(
      `${`${g.gpuType}#${g.gpuIndex}`.padEnd(16)} ${`${used.toFixed(1)}/${memory.get(g.gpuType)} GiB`.padStart(14)}  ${g.replicas.map((r) => `${r.model}[${r.replica}]`).join(' ')}`,
    );
  }
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
      `${c.model.padEnd(16)} ${c.gpuType.padEnd(10)} TP=${c.tp} x ${c.replicas}  ${(c.requestsPerSecond * c.replicas).toFixed(2)} req/s  $${(c.costPerHour * c.replicas).toFixed(2)}/h`,
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
    options: { json: { type: 'boolean' }, 'time-limit': { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError('give one problem file, or - for standard input');
  const timeLimitSeconds = positiveNumber(values['time-limit'], '--time-limit', 10) ?? 10;
  let raw: unknown;
  try {
    raw = JSON.parse(await readInput(positionals[0]!, io));
  } catch (error) {
    throw new UsageError(`cannot read the problem: ${(error as Error).message}`);
  }
  const problem = isProvisioning(raw) ? parseProvisioningProblem(raw) : parsePackingProblem(raw);
  if (!problem.ok) throw new UsageError(`problem file: ${problem.message}`);
  const client = new GlpkWorkerClient(join(__dirname, 'solver-worker.js'));
  const solve: SolveProgram = (program, options) => client.solve(program, options);
  try {
    if ('pools' in problem.value) {
      // Per-replica throughput comes from the workspace's calibration where it has a fit.
      const calibration = await readCalibrationFile(io.cwd);
      if (calibration.warning) io.err(`gpu-workbench: ${calibration.warning}`);
      const result = await solveProvisioning(problem.value, solve, timeLimitSeconds, {
        calibration: calibration.file,
      });
      io.out(values.json ? JSON.stringify(result, null, 2) : provisioningText(result));
      return result.choices.length > 0 ? 0 : 1;
    }
    const result = await solvePacking(problem.value, solve, { timeLimitSeconds, mipGap: 0 });
    io.out(values.json ? JSON.stringify(planJson(result), null, 2) : planText(problem.value, result));
    return result.placement ? 0 : 1;
  } finally {
    client.dispose();
  }
}
