/** Provisioning figures: 20 models with demands over 10 GPU types, solved with GLPK (the sweep included). */
import { join, resolve } from 'node:path';
import { candidates, parseProvisioningProblem, solveProvisioning } from '../src/core/solver/provisioning.ts';
import { GlpkWorkerClient } from '../src/node/solverClient.ts';
import type { Row } from './report.ts';

const repo = resolve(import.meta.dirname, '..');

const MODELS = [
  'meta-llama/Llama-3.2-1B-Instruct',
  'meta-llama/Llama-3.2-3B-Instruct',
  'meta-llama/Llama-3.1-8B-Instruct',
  'meta-llama/Llama-3.1-70B-Instruct',
  'Qwen/Qwen3-0.6B',
  'Qwen/Qwen3-4B',
  'Qwen/Qwen3-8B',
  'Qwen/Qwen3-14B',
  'Qwen/Qwen3-32B',
  'Qwen/Qwen3-30B-A3B',
  'Qwen/Qwen2.5-7B-Instruct',
  'Qwen/Qwen2.5-72B-Instruct',
  'mistralai/Mistral-7B-Instruct-v0.3',
  'mistralai/Mixtral-8x7B-Instruct-v0.1',
  'google/gemma-2-9b-it',
  'google/gemma-3-12b-it',
  'google/gemma-3-27b-it',
  'microsoft/phi-4',
  'openai/gpt-oss-20b',
  'microsoft/Phi-3-mini-4k-instruct',
];
const GPUS = ['a10g', 'l4', 'l40s', 'a100-40gb', 'a100-80gb', 'h100-pcie', 'h100-sxm', 'h200', 'b200', 'rtx-6000-ada'];

export async function provisioningRows(): Promise<Row[]> {
  const parsed = parseProvisioningProblem({
    gpus: GPUS.map((type) => ({ type, count: 64 })),
    models: MODELS.map((model, i) => ({
      name: `m${i}`,
      model,
      demand: { requestsPerSecond: 1 + (i % 5) * 2, inputTokens: 1000, outputTokens: 200, tpotMs: 60 },
    })),
  });
  if (!parsed.ok) throw new Error(parsed.message);
  const client = new GlpkWorkerClient(join(repo, 'dist', 'solver-worker.js'));
  try {
    await client.start();
    let started = performance.now();
    const sized = candidates(parsed.value);
    const list = sized === 'overran' ? [] : sized;
    const sizingMs = performance.now() - started;
    started = performance.now();
    const result = await solveProvisioning(parsed.value, (p, o) => client.solve(p, o), 20);
    const totalMs = performance.now() - started;
    if (!result.costPerHour) throw new Error(`provisioning bench: ${result.message}`);
    return [
      {
        figure: `provisioning 20 models x 10 GPU types (${list.length} candidates, ${result.front.length}-point front): ${result.status}, $${result.costPerHour?.toFixed(2)}/h vs $${result.homogeneous?.costPerHour.toFixed(2)}/h on ${result.homogeneous?.gpuType} alone`,
        value: totalMs,
        unit: 'ms',
        baseline: 1000,
        baselineNote: 'budget: 1 s',
      },
      {
        figure: '  of which sizing every candidate with the roofline',
        value: sizingMs,
        unit: 'ms',
        baseline: totalMs,
        baselineNote: 'vs the whole',
      },
    ];
  } finally {
    client.dispose();
  }
}
