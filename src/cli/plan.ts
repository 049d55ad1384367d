import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { solvePacking, type PackingResult } from '../core/solver/packing.ts';
import { planJson } from '../core/solver/planExport.ts';
import { parsePackingProblem, type PackingProblem } from '../core/solver/problem.ts';
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
    lines.push(`${`${g.gpuType}#${g.gpuIndex}`.padEnd(16)} ${`${used.toFixed(1)}/${memory.get(g.gpuType)} GiB`.padStart(14)}  ${g.replicas.map((r) => `${r.model}[${r.replica}]`).join(' ')}`);
  }
  lines.push('', `first-fit decreasing: ${result.greedy ? `${result.greedy.gpusUsed} GPUs, $${result.greedy.costPerHour.toFixed(2)}/h` : 'no placement'}`);
  lines.push(`one replica per GPU:  ${result.onePerGpu ? `${result.onePerGpu.gpusUsed} GPUs, $${result.onePerGpu.costPerHour.toFixed(2)}/h` : 'no placement'}`);
  return lines.join('\n');
}

/** Exit 0 with a plan, 1 when infeasible or no plan could be made, 2 on usage or input errors. */
export async function planCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { json: { type: 'boolean' }, 'time-limit': { type: 'string' } } });
  if (positionals.length !== 1) throw new UsageError('give one problem file, or - for standard input');
  const timeLimitSeconds = positiveNumber(values['time-limit'], '--time-limit', 10) ?? 10;
  let raw: unknown;
  try {
    raw = JSON.parse(await readInput(positionals[0]!, io));
  } catch (error) {
    throw new UsageError(`cannot read the problem: ${(error as Error).message}`);
  }
  const parsed = parsePackingProblem(raw);
  if (!parsed.ok) throw new UsageError(`problem file: ${parsed.message}`);
  const client = new GlpkWorkerClient(join(__dirname, 'solver-worker.js'));
  try {
    const result = await solvePacking(parsed.value, (program, options) => client.solve(program, options), { timeLimitSeconds, mipGap: 0 });
    io.out(values.json ? JSON.stringify(planJson(result), null, 2) : planText(parsed.value, result));
    return result.placement ? 0 : 1;
  } finally {
    client.dispose();
  }
}
