/**
 * Hostile input at the core's entries: the sanitizer, linear-time matching on long untrusted text,
 * counts validated before anything is made per item, one bad label or node isolated, size caps
 * and one deadline for the solver, and the YAML parser's work capped.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { findGpu } from '../../src/core/catalog/gpus.ts';
import { parseDcgmQueryResponse } from '../../src/core/gpu/dcgm.ts';
import { parseKubectlNodes } from '../../src/core/gpu/kubernetesNodes.ts';
import type { Gpu, Host } from '../../src/core/gpu/inventory.ts';
import { formatInventoryText } from '../../src/core/gpu/inventoryText.ts';
import { parseMigList, parseNvidiaSmi, splitRemoteOutput } from '../../src/core/gpu/nvidiaSmi.ts';
import { parseRocmSmiJson } from '../../src/core/gpu/rocmSmi.ts';
import { lintText } from '../../src/core/lint/lint.ts';
import { applySuppressions, parseDirective } from '../../src/core/lint/suppressions.ts';
import { parseYaml, yamlWorkProblem } from '../../src/core/lint/yamlSource.ts';
import { solvePacking, type SolveProgram } from '../../src/core/solver/packing.ts';
import { parsePackingProblem } from '../../src/core/solver/problem.ts';
import { candidates, parseProvisioningProblem, solveProvisioning } from '../../src/core/solver/provisioning.ts';
import {
  clip,
  redactCredentials,
  redactSecrets,
  redactUrl,
  safeJson,
  safeLine,
  safeText,
} from '../../src/core/text/safeText.ts';

// The sources run as CommonJS (tsx) and this file as ESM: the error class must be the sources' own.
const { SolverTimeoutError } = createRequire(import.meta.url)(
  '../../src/core/solver/status.ts',
) as typeof import('../../src/core/solver/status.ts');

/** Milliseconds of one call (best of three, so one slow moment on a shared machine does not count). */
function timed(fn: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

describe('the sanitizer', () => {
  test('ESC, C0 but \\n and \\t, DEL, C1 and bidi controls become visible escapes', () => {
    assert.equal(safeText('a\u001b[2Jb'), 'a\\x1b[2Jb');
    assert.equal(safeText('\u009b31m'), '\\x9b31m'); // an 8-bit CSI
    assert.equal(safeText('x\ry\u0007\u0008\u007f'), 'x\\ry\\x07\\x08\\x7f');
    assert.equal(safeText('\u202eevil\u2066'), '\\u202eevil\\u2066');
    assert.equal(safeText('line 1\n\tline 2'), 'line 1\n\tline 2');
    assert.equal(safeLine('a\nb\tc'), 'a\\nb\\tc');
    // Printable text, non-Latin scripts and emoji are untouched.
    assert.equal(safeText('H100 80GB · 60 °C · 日本語 · 🚀'), 'H100 80GB · 60 °C · 日本語 · 🚀');
  });

  test('safeJson is the same JSON value with no raw C1, DEL, bidi or line separator', () => {
    const value = { name: 'a\u001b]8;;x\u0007\u009b\u007f\u202e\u2028b', n: 1 };
    const text = safeJson(value);
    assert.deepEqual(JSON.parse(text), value);
    // oxlint-disable-next-line no-control-regex -- finding control characters is the point
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u202e]/);
  });

  test('URL credentials and secrets are masked', () => {
    assert.equal(redactUrl('https://user:pa55word@prom.example:9090/x'), 'https://***@prom.example:9090/x');
    // WHATWG URL reads the user part up to the authority's last "@": all of it is masked.
    assert.equal(redactUrl('http://u:p@ss@host/a@b'), 'http://***@host/a@b');
    assert.equal(redactUrl('https://prom.example/'), 'https://prom.example/');
    assert.equal(redactUrl('not a url http://a:b@h/'), 'not a url http://***@h/');
    assert.equal(redactCredentials('fetch http://me:pw@host/ failed'), 'fetch http://***@host/ failed');
    assert.equal(
      redactSecrets('Bearer hf_abcdefgh\nijklmnopq is invalid', ['hf_abcdefgh\nijklmnopq']),
      'Bearer *** is invalid',
    );
    assert.equal(
      redactSecrets('header "Bearer hf_abcdefgh" bad', ['hf_abcdefgh\nijklmnopq']),
      'header "Bearer ***" bad',
    );
    assert.equal(clip('abcdef', 3), 'abc... (3 more characters)');
  });
});

describe('linear-time matching on untrusted text', () => {
  // The directive as it was matched before, to check the new reader agrees with it on short lines.
  const OLD = /#\s*gpu-workbench-disable(-next-line)?(?:\s+([A-Za-z0-9_,\s-]+))?\s*$/;
  const lines = [
    '# gpu-workbench-disable',
    '# gpu-workbench-disable-next-line',
    '  #gpu-workbench-disable-next-line tp-divides-attention-heads, gpu-requests-without-limits',
    'args: [x] # gpu-workbench-disable gpu-over-provisioned',
    '# gpu-workbench-disable foo gpu-workbench-disable',
    '# gpu-workbench-disable foo # gpu-workbench-disable-next-line bar',
    '# gpu-workbench-disablex',
    '# gpu-workbench-disable-next-linex',
    '# gpu-workbench-disable -next-line',
    '# gpu-workbench-disable rule!',
    'gpu-workbench-disable',
    '#\t gpu-workbench-disable a\r',
    '# gpu-workbench-disable a #',
  ];
  for (const line of lines) {
    test(`the directive reader agrees with the old pattern on ${JSON.stringify(line)}`, () => {
      const old = OLD.exec(line);
      const expected = old
        ? { nextLine: Boolean(old[1]), rules: (old[2] ?? '').split(/[\s,]+/).filter(Boolean) }
        : undefined;
      assert.deepEqual(parseDirective(line), expected);
    });
  }

  test('an 8 KB line of spaces after the directive costs about as much as an 8 KB plain line (85 s before)', () => {
    const hostile = `# gpu-workbench-disable${' '.repeat(8192)}x`;
    const plain = `# ${'a'.repeat(8192)}`;
    const finding = [{ ruleId: 'r', severity: 'info' as const, message: 'm', span: { start: 0, end: 1 } }];
    const base = timed(() => applySuppressions(`${plain}\n`, finding));
    const ms = timed(() => applySuppressions(`${hostile}\n`.repeat(8), finding));
    // 8 lines against 1, so x8 is linear; x40 + 20 ms leaves room for a loaded machine.
    assert.ok(ms < base * 40 + 20, `${ms} ms against ${base} ms`);
  });

  test('a 200 KB GPU label is not matched, at once (25 s before)', () => {
    const label = 'H100 '.repeat(40_000);
    const ms = timed(() => assert.equal(findGpu(label), undefined));
    assert.ok(ms < 50, `${ms} ms`);
    assert.equal(findGpu('NVIDIA-H100-80GB-HBM3')?.id, 'h100-sxm');
  });

  test('a 1 MB line in nvidia-smi -L is skipped before the regex sees it', () => {
    const line = `GPU 0: ${' (UUID: GPU-aaaa'.repeat(60_000)}`;
    const ms = timed(() => parseMigList(`${line}\n`));
    assert.ok(ms < 200, `${ms} ms`);
  });
});

describe('counts are counts, each node and label on its own', () => {
  const node = (name: string, gpus: unknown) => ({
    metadata: { name, labels: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' } },
    status: { capacity: { 'nvidia.com/gpu': gpus }, allocatable: { 'nvidia.com/gpu': gpus } },
  });

  test('kubectl capacity 50,000,000, "1e308" and 2.5 mark their node; the others stay', () => {
    const parsed = parseKubectlNodes(
      JSON.stringify({ items: [node('a', '50000000'), node('b', '1e308'), node('c', 2.5), node('d', '8')] }),
    );
    assert.ok(parsed.ok);
    assert.deepEqual(
      parsed.value.map((h) => [h.label, h.status.kind, h.gpus.length]),
      [
        ['a', 'failed', 0],
        ['b', 'failed', 0],
        ['c', 'failed', 0],
        ['d', 'ok', 8],
      ],
    );
  });

  test('a DCGM label that is an object or a number is dropped, not a crash', () => {
    const parsed = parseDcgmQueryResponse({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          {
            metric: { __name__: 'DCGM_FI_DEV_FB_USED', Hostname: { a: 1 }, modelName: ['x'], gpu: '0', UUID: 'G' },
            value: [0, '5'],
          },
          {
            metric: { __name__: 'DCGM_FI_DEV_FB_USED', Hostname: 'h', modelName: 7, gpu: '1', UUID: 'H' },
            value: [0, '5'],
          },
        ],
      },
    });
    assert.ok(parsed.ok);
    assert.deepEqual(
      parsed.value.map((h) => [h.label, h.gpus.map((g) => g.name)]),
      [
        ['h', ['NVIDIA GPU']],
        ['unknown host', ['NVIDIA GPU']],
      ],
    );
  });
});

describe('GPU tool and server answers of any shape', () => {
  test('5,000 random answers through the nvidia-smi, rocm-smi, kubectl and DCGM parsers and the text printer: none throws', () => {
    const leaves: unknown[] = [null, 1, -1, 1e308, 'x', '', {}, [], ['a'], true, 'NaN', '1e308', '-5', '__proto__'];
    const noPrototype = Object.create(null) as object; // Number() of it throws
    leaves.push(noPrototype);
    let seed = 1;
    // mulberry32: a small PRNG with a fixed seed, so a failure reproduces.
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const leaf = () => leaves[Math.floor(random() * leaves.length)];
    const keys = ['card0', 'Card Series', 'VRAM Total Memory (B)', 'items', 'metadata', 'name', 'status', 'capacity'];
    keys.push('nvidia.com/gpu', 'labels', 'metric', 'value', '__name__', 'Hostname', 'gpu', 'UUID', 'pod', 'modelName');
    keys.push('GPU_I_PROFILE', 'GPU_I_ID', 'allocatable', 'nvidia.com/mig-1g.10gb');
    const shape = (depth: number): unknown => {
      if (depth > 3 || random() < 0.3) return leaf();
      if (random() < 0.3) return Array.from({ length: Math.floor(random() * 4) }, () => shape(depth + 1));
      const o: Record<string, unknown> = {};
      for (const k of keys) if (random() < 0.3) o[k] = shape(depth + 1);
      return o;
    };
    const vector = (result: unknown[]) => ({ status: 'success', data: { resultType: 'vector', result } });
    const host = (gpus: Gpu[]): Host => ({ id: 'l', label: 'l', source: 'local', status: { kind: 'ok' }, gpus });
    for (let i = 0; i < 5000; i++) {
      const o = shape(0);
      const text = JSON.stringify(o) ?? '';
      const hosts: Host[] = [];
      const dcgm = parseDcgmQueryResponse(vector([o, { metric: o, value: [0, leaf()] }]));
      if (dcgm.ok) hosts.push(...dcgm.value);
      const kubectl = parseKubectlNodes(JSON.stringify({ items: [o] }));
      if (kubectl.ok) hosts.push(...kubectl.value);
      const rocm = parseRocmSmiJson(text);
      if (rocm.ok) hosts.push(host(rocm.value));
      const nvidia = parseNvidiaSmi(splitRemoteOutput(text.replace(/[{}[\]"]/g, ',')));
      if (nvidia.ok) hosts.push(host(nvidia.value));
      formatInventoryText({ hosts, takenAt: '' });
    }
  });
});

describe('solver size caps and one deadline', () => {
  test('names with control characters or over 200 characters, and memory past 4096 GiB, are refused', () => {
    const gpus = [{ type: 'g', count: 1, memoryGiB: 80 }];
    for (const name of ['a\u001bb', 'x'.repeat(201), 'c\u0085']) {
      const packing = parsePackingProblem({ gpus, models: [{ name, memoryGiB: 1 }] });
      assert.equal(packing.ok, false);
      const provisioning = parseProvisioningProblem({
        gpus: [{ type: 'h100-sxm' }],
        models: [{ name, model: 'meta-llama/Llama-3.1-8B-Instruct', demand: { requestsPerSecond: 1 } }],
      });
      assert.equal(provisioning.ok, false);
    }
    const big = parsePackingProblem({
      gpus: [{ type: 'g', count: 1, memoryGiB: 1e7 }],
      models: [{ name: 'm', memoryGiB: 1 }],
    });
    assert.deepEqual(big, { ok: false, message: 'gpus[0] (g): "memoryGiB" must be at most 4096' });
  });

  test('provisioning: once the time limit has passed, no new solve starts (one deadline for the sweep too)', async () => {
    const problem = parseProvisioningProblem({
      gpus: [{ type: 'h100-sxm' }, { type: 'l40s' }],
      models: Array.from({ length: 50 }, (_, i) => ({
        name: `m${i}`,
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        demand: { requestsPerSecond: 1 },
      })),
    });
    assert.ok(problem.ok);
    let solves = 0;
    // Each solve takes 30 ms and finds nothing better than "no replicas" (status optimal).
    const slow: SolveProgram = async () => {
      solves++;
      await new Promise((r) => setTimeout(r, 30));
      return { status: 'optimal', objective: 0, values: {}, solveMs: 30 };
    };
    candidates(problem.value); // the sizing engine's first run warms its caches; the solves are what is timed
    const started = Date.now();
    const result = await solveProvisioning(problem.value, slow, 0.3);
    const ms = Date.now() - started;
    // 0.3 s of 30 ms solves is about 10; the old per-run deadline allowed 50 models x 7 runs = 350.
    assert.ok(solves <= 15, `${solves} solves`);
    assert.ok(ms < 1000, `${ms} ms`);
    assert.equal(result.status, 'timeout');
  });

  test('"the greedy plan below" is said only when there is one', async () => {
    const fail: SolveProgram = () => Promise.reject(new SolverTimeoutError(1));
    const withGreedy = await solvePacking(
      {
        objective: 'cost',
        gpus: [{ type: 'g', count: 2, memoryGiB: 80, costPerHour: 1 }],
        models: [{ name: 'm', memoryGiB: 10, replicas: 1, tp: 1 }],
      },
      fail,
      { timeLimitSeconds: 1, mipGap: 0 },
    );
    assert.ok(withGreedy.greedy?.placement);
    assert.match(withGreedy.message, /first-fit decreasing plan below is the best known/);
    // Three 10 GiB GPUs and shards of 5, 5, 4, 4, 3, 3, 3, 3 GiB (30 GiB in all): 5+5, 4+3+3, 4+3+3
    // fits, but first-fit decreasing fills 5+5, 4+4, 3+3+3 and has no room for the last 3.
    const sizes = [5, 5, 4, 4, 3, 3, 3, 3];
    const none = await solvePacking(
      {
        objective: 'cost',
        gpus: [{ type: 'g', count: 3, memoryGiB: 10, costPerHour: 1 }],
        models: sizes.map((memoryGiB, i) => ({ name: `m${i}`, memoryGiB, replicas: 1, tp: 1 })),
      },
      fail,
      { timeLimitSeconds: 1, mipGap: 0 },
    );
    assert.equal(none.greedy, undefined);
    assert.doesNotMatch(none.message, /plan below/);
    assert.match(none.message, /First-fit decreasing found no placement either/);
  });
});

describe('the YAML parser does bounded work', () => {
  test('soups under the 2 MiB cap are refused before parsing, in linear time', () => {
    const soups = {
      flow: `[${'a,'.repeat(1_000_000)}a]`,
      aliases: `a: &x [1]\nb: [${Array.from({ length: 20_000 }, () => '*x').join(',')}]`,
      deep: `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      dashes: '- '.repeat(100_000),
      lines: '- a\n'.repeat(200_000),
      documents: '---\n'.repeat(20_000),
    };
    for (const [name, text] of Object.entries(soups)) {
      const ms = timed(() => assert.ok(yamlWorkProblem(text), name));
      assert.ok(ms < 200, `${name}: ${ms} ms`);
      const parsed = parseYaml(text);
      assert.equal(parsed.documents.length, 0, name);
      assert.match(parsed.problems[0]!.message, /^Not read: this file has/, name);
    }
  });

  test('a real manifest, and 5,000 of them in one stream, are under every cap', () => {
    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: x
spec:
  containers:
    - name: c
      image: vllm/vllm-openai
      args: ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--tensor-parallel-size", "1"]
      resources:
        limits:
          nvidia.com/gpu: 1
`;
    assert.equal(yamlWorkProblem(pod), undefined);
    assert.equal(yamlWorkProblem(`---\n${pod}`.repeat(5_000)), undefined);
  });

  test('130,000 duplicate keys give at most 100 findings, and lintText returns', () => {
    const result = lintText('dups.yaml', 'a: 1\n'.repeat(130_000), { findModel: () => undefined });
    const duplicates = result.findings.filter((f) => f.ruleId === 'duplicate-key');
    assert.ok(duplicates.length > 0 && duplicates.length <= 100, `${duplicates.length}`);
  });

  test('a Triton config.pbtxt nested 500,000 deep in messages or lists is reported, not a stack overflow', () => {
    for (const text of ['a {'.repeat(500_000), `a: ${'['.repeat(500_000)}`]) {
      const result = lintText('config.pbtxt', text, { findModel: () => undefined });
      assert.equal(result.findings.length, 1);
      assert.match(result.findings[0]!.message, /nested deeper than 200 levels/);
    }
  });

  test('a 200,000-word args string does not overflow the stack', () => {
    const text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: c\n      image: vllm/vllm-openai\n      args: "${'w '.repeat(200_000)}"\n`;
    const result = lintText('pod.yaml', text, { findModel: () => undefined });
    assert.ok(!result.findings.some((f) => /call stack/.test(f.message)));
  });
});
