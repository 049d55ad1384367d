/**
 * `gpu-workbench plan --export`: the built CLI with the bundled GLPK, exporting the plan the
 * workbench would (one export function, core/solver/outcomeExport.ts). Figures by hand beside each check.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const repo = resolve(import.meta.dirname, '..', '..');
const cli = join(repo, 'bin', 'gpu-workbench.js');
const byText = (a: unknown, b: unknown) => String(a).localeCompare(String(b));
const scratch = mkdtempSync(join(tmpdir(), 'gpu-workbench-plan-export-'));

async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], {
      cwd: scratch,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * One H100 SXM (a catalog type: CUDA's 81,079 MiB = 79.17 GiB to plan with) shared by Llama 3.1
 * 8B twice over: "chat" holding 4 requests of 8192 tokens, 20.74 GiB (weights 14.96 + sampler
 * peak 1.18 + non-torch 0.11 + CUDA graphs 0.49 + KV 4 x 1 GiB; test/unit/planExport.test.ts), and
 * two replicas of "batch" holding 12.2 requests, 16.74 + 12.2 = 28.94 GiB each. 20.74 + 2 x 28.94 =
 * 78.62 GiB fits the one GPU (21 + 29 + 29 = 79 whole GiB of the arc-flow model's 79).
 */
const SHARED = {
  objective: 'cost',
  gpus: [{ type: 'h100-sxm', count: 1, costPerHour: 4 }],
  models: [
    { name: 'chat', model: 'meta-llama/Llama-3.1-8B-Instruct', concurrency: 4 },
    { name: 'batch', model: 'meta-llama/Llama-3.1-8B-Instruct', concurrency: 12.2, replicas: 2 },
  ],
};

describe('gpu-workbench plan --export', () => {
  const problemFile = join(scratch, 'shared.json');
  writeFileSync(problemFile, JSON.stringify(SHARED));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('kubernetes: Deployments that parse, run the real model id on a pinned image, and share the GPU within 1', async () => {
    const r = await runCli(['plan', problemFile, '--export', 'kubernetes']);
    assert.equal(r.code, 0, r.stderr);
    const docs = parseAllDocuments(r.stdout).map((d) => {
      assert.deepEqual(d.errors, []);
      return d.toJS() as {
        kind: string;
        metadata: { name: string; annotations?: Record<string, string> };
        spec: {
          replicas: number;
          template: {
            spec: {
              containers: { image: string; args: string[]; resources: { limits: Record<string, number> } }[];
            };
          };
        };
      };
    });
    assert.deepEqual(docs.map((d) => [d.kind, d.metadata.name, d.spec.replicas]).sort(byText), [
      ['Deployment', 'batch-h100-sxm', 2],
      ['Deployment', 'chat-h100-sxm', 1],
    ]);
    const part = (name: string) => {
      const args = docs.find((d) => d.metadata.name === name)!.spec.template.spec.containers[0]!.args;
      return Number(args[args.indexOf('--gpu-memory-utilization') + 1]);
    };
    // By hand: 20.74 / 79.17 = 0.26197 and 28.94 / 79.17 = 0.36554. Rounded up to 0.01 they would
    // add to 0.27 + 2 x 0.37 = 1.01 and the third vLLM would not start (it asks total x part, and
    // less is free); rounded up to 0.001: 0.262 + 2 x 0.366 = 0.994 <= 1, each keeping its memory.
    assert.equal(part('chat-h100-sxm'), 0.262);
    assert.equal(part('batch-h100-sxm'), 0.366);
    assert.ok(part('chat-h100-sxm') + 2 * part('batch-h100-sxm') <= 1);
    for (const d of docs) {
      const container = d.spec.template.spec.containers[0]!;
      assert.equal(container.args[container.args.indexOf('--model') + 1], 'meta-llama/Llama-3.1-8B-Instruct');
      assert.match(container.image, /^vllm\/vllm-openai:v\d+\.\d+\.\d+$/, 'a pinned image, not :latest');
      assert.equal(container.resources.limits['nvidia.com/gpu'], 1);
      assert.match(d.metadata.annotations?.['gpu-workbench/gpu-sharing'] ?? '', /time-slicing or MPS/);
    }
  });

  test('vllm and json, to a file with --out: the same plan', async () => {
    const out = join(scratch, 'serve.sh');
    const r = await runCli(['plan', problemFile, '--export', 'vllm', '--out', 'serve.sh']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /wrote the plan as vllm to .*serve\.sh/);
    const commands = readFileSync(out, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('CUDA_VISIBLE_DEVICES='));
    // Three replicas on GPU 0 of the one H100, parts as above.
    assert.deepEqual(
      commands
        .map((c) =>
          /^CUDA_VISIBLE_DEVICES=(\d) vllm serve "([^"]+)" .*--gpu-memory-utilization (\S+)/.exec(c)?.slice(1),
        )
        .sort(byText),
      [
        ['0', 'meta-llama/Llama-3.1-8B-Instruct', '0.262'],
        ['0', 'meta-llama/Llama-3.1-8B-Instruct', '0.366'],
        ['0', 'meta-llama/Llama-3.1-8B-Instruct', '0.366'],
      ],
    );
    const json = JSON.parse((await runCli(['plan', problemFile, '--export', 'json'])).stdout);
    // One H100 at $4/h.
    assert.equal(json.status, 'optimal');
    assert.equal(json.costPerHour, 4);
    assert.equal(json.gpusUsed, 1);
  });

  test('an infeasible plan exports nothing and says why (exit 1); a wrong format is a usage error (exit 2)', async () => {
    // 100 GiB of one replica on 79.17 GiB GPUs: no placement.
    const infeasible = join(scratch, 'infeasible.json');
    writeFileSync(
      infeasible,
      JSON.stringify({ gpus: [{ type: 'h100-sxm', count: 2 }], models: [{ name: 'big', memoryGiB: 100 }] }),
    );
    const r = await runCli(['plan', infeasible, '--export', 'kubernetes', '--out', 'never.yaml']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^gpu-workbench: nothing to export \(infeasible\): No placement exists/);
    assert.throws(() => readFileSync(join(scratch, 'never.yaml')), /ENOENT/);

    const wrong = await runCli(['plan', problemFile, '--export', 'helm']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--export must be one of json, kubernetes, vllm, not "helm"/);
    const outAlone = await runCli(['plan', problemFile, '--out', 'x.yaml']);
    assert.equal(outAlone.code, 2);
    assert.match(outAlone.stderr, /--out needs --export/);
  });
});
