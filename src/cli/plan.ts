import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { PackingResult, SolveProgram } from '../core/solver/packing.ts';
import { planJson } from '../core/solver/planExport.ts';
import type { PackingProblem } from '../core/solver/problem.ts';
import type { ProvisioningResult } from '../core/solver/provisioning.ts';
import { parsePlanProblem, solvePlan } from '../core/solver/solvePlan.ts';
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
  let text: string;
  try {
    text = await readInput(positionals[0]!, io);
  } catch (error) {
    throw new UsageError(`cannot read the problem: ${(error as Error).message}`);
  }
  const problem = parsePlanProblem(text);
  if (!problem.ok) throw new UsageError(problem.message);
  const client = new GlpkWorkerClient(join(__dirname, 'solver-worker.js'));
  const solve: SolveProgram = (program, options) => client.solve(program, options);
  try {
    const plan = await solvePlan(problem.value, solve, timeLimitSeconds);
    if (plan.kind === 'provisioning') {
      io.out(values.json ? JSON.stringify(plan.result, null, 2) : provisioningText(plan.result));
      return plan.result.choices.length > 0 ? 0 : 1;
    }
    io.out(values.json ? JSON.stringify(planJson(plan.result), null, 2) : planText(plan.problem, plan.result));
    return plan.result.placement ? 0 : 1;
  } finally {
    client.dispose();
  }
}
