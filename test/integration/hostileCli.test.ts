/**
 * Hostile input through the CLI as a user runs it (`node bin/gpu-workbench.js ...`, a child
 * process): files, tools and servers that try to paint the terminal, hang it, exhaust its memory,
 * crash it or make it print a secret. Each test asserts the clear error, the exit code (2 for bad
 * input), no ESC / C1 / bidi byte in the text output, and time and peak RSS as a generous ratio to
 * a baseline run of the same command on a harmless input.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { queryPrometheusDcgm } from '../../src/node/prometheus.ts';
import { runCli, terminalControls, type CliRun } from '../harness/cliRun.ts';

const ESC = '\u001b';
/** A screen clear, an OSC 8 hyperlink, an 8-bit CSI (U+009B), a bidi override, a bell and a CR. */
const PAINT = `${ESC}[2J${ESC}]8;;https://evil.example/${ESC}\\click${ESC}]8;;${ESC}\\\u009b31m\u202eevil\u0007\r`;

function assertClean(run: CliRun, what: string): void {
  assert.deepEqual(
    terminalControls(run.bytes),
    [],
    `${what}: terminal controls in the output:\n${run.stdout}${run.stderr}`,
  );
}

function assertNoStack(run: CliRun): void {
  assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+/, `a stack trace was printed:\n${run.stderr}`);
}

/** Ceiling for a hostile run: `factor` times the baseline, plus a fixed allowance for a loaded machine. */
function assertBounded(hostile: CliRun, baseline: CliRun, msFactor: number, rssFactor: number): void {
  assert.ok(
    hostile.ms <= baseline.ms * msFactor + 3000,
    `took ${hostile.ms} ms; the baseline ${baseline.ms} ms (ceiling x${msFactor} + 3 s)`,
  );
  assert.ok(hostile.maxRssKiB !== undefined && baseline.maxRssKiB !== undefined, 'peak RSS was not reported');
  assert.ok(
    hostile.maxRssKiB! <= baseline.maxRssKiB! * rssFactor,
    `peak RSS ${hostile.maxRssKiB} KiB; the baseline ${baseline.maxRssKiB} KiB (ceiling x${rssFactor})`,
  );
}

const POD = (name: string, model: string, extra = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${JSON.stringify(name)}
spec:
  containers:
    - name: ${JSON.stringify(name)}
      image: vllm/vllm-openai:v0.10.0
      args: ["--model", ${JSON.stringify(model)}, "--tensor-parallel-size", "3"]
      resources:
        limits:
          nvidia.com/gpu: 2
${extra}`;

describe('hostile input through the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-workbench-hostile-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('1. terminal escapes', () => {
    test('lint: escapes in names, models, keys and the file name reach the terminal as visible text', async () => {
      const folder = join(dir, 'paint');
      mkdirSync(folder);
      const file = join(folder, `evil${ESC}]0;owned${ESC}\\.yaml`);
      writeFileSync(file, POD(`c${PAINT}`, `org/m${PAINT}`, `  ${PAINT}: 1\n  ${PAINT}: 2\n`));
      const run = await runCli(['lint', folder]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, /\\x1b\[2J/, 'the ESC is shown as \\x1b');
      assert.match(run.stdout, /\\u202e/, 'the bidi override is shown as \\u202e');
      assertClean(run, 'lint text');
      for (const format of ['json', 'sarif']) {
        const structured = await runCli(['lint', folder, '--format', format]);
        assertClean(structured, `lint ${format}`);
        // JSON keeps its own escaping: the value read back is the text of the file, unchanged.
        const parsed = JSON.parse(structured.stdout) as unknown;
        assert.ok(JSON.stringify(parsed).includes('\\u001b[2J'), `${format} keeps the ESC as \\u001b`);
        assert.ok(JSON.stringify(parsed).includes('\u009b31m'), `${format} keeps the C1 character in the value`);
      }
    });

    test('lint: a binary-looking pbtxt and a script with escapes print nothing raw', async () => {
      const folder = join(dir, 'paint2');
      mkdirSync(folder);
      writeFileSync(
        join(folder, 'config.pbtxt'),
        `name: "m${PAINT}"\nplatform: ${PAINT}\ninstance_group [ { count: x${PAINT} } ]\n`,
      );
      writeFileSync(join(folder, 'serve.sh'), `#!/bin/sh\nvllm serve org/m${PAINT} --tensor-parallel-size ${PAINT}\n`);
      const run = await runCli(['lint', folder]);
      assertClean(run, 'lint pbtxt/script');
    });

    test('lint: a 200 KB model name is cut on the terminal (every line under 2.2 KB), kept whole in JSON', async () => {
      const file = join(dir, 'long-name.yaml');
      const model = `org/${'m'.repeat(200_000)}`;
      writeFileSync(file, POD('c', model));
      const run = await runCli(['lint', file]);
      const longest = Math.max(...run.stdout.split('\n').map((l) => l.length));
      assert.ok(longest < 2200, `a line of ${longest} characters`);
      assert.match(run.stdout, /more characters\)/);
      const json = await runCli(['lint', file, '--format', 'json']);
      assert.ok(json.stdout.includes(model), 'JSON keeps the name whole');
    });

    test('inventory: a fake nvidia-smi that prints escapes in GPU and process names and its error line', async () => {
      const bin = join(dir, 'bin-paint');
      mkdirSync(bin);
      const csv = `0, GPU-11111111-2222-3333-4444-555555555555, NVIDIA H100 80GB HBM3${PAINT}, 00000000:18:00.0, 81559, 1000, 80559, 5, 40, 100.5, 700.0, 1980, 2619, Disabled, 580.65${PAINT}`;
      const apps = `GPU-11111111-2222-3333-4444-555555555555, 4242, python${PAINT}, 1000`;
      writeFileSync(
        join(bin, 'nvidia-smi'),
        `#!/bin/sh\ncase "$*" in\n  *--query-gpu=*) printf '%s\\n' '${csv}' ;;\n  *--query-compute-apps=*) printf '%s\\n' '${apps}' ;;\n  -L) printf '%s\\n' 'GPU 0: x${PAINT}' ;;\nesac\n`,
      );
      writeFileSync(join(bin, 'rocm-smi'), `#!/bin/sh\nprintf 'rocm failed ${PAINT}\\n' >&2\nexit 3\n`);
      chmodSync(join(bin, 'nvidia-smi'), 0o755);
      chmodSync(join(bin, 'rocm-smi'), 0o755);
      const run = await runCli(['inventory', '--timeout', '20'], { env: { PATH: `${bin}:${process.env.PATH ?? ''}` } });
      assert.match(run.stdout, /H100 80GB HBM3\\x1b\[2J/, run.stdout + run.stderr);
      assertClean(run, 'inventory text');
      const json = await runCli(['inventory', '--timeout', '20', '--json'], {
        env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
      });
      assertClean(json, 'inventory json');
      const inventory = JSON.parse(json.stdout) as { hosts: { gpus: { name: string }[] }[] };
      // nvidia-smi's cells are trimmed, so the trailing CR goes; everything else is kept in the JSON value.
      assert.equal(inventory.hosts[0]?.gpus[0]?.name, `NVIDIA H100 80GB HBM3${PAINT}`.trim());
    });
  });

  test('inventory --ssh: what ssh prints on stderr (a host key warning, a banner) is shown escaped', async () => {
    const bin = join(dir, 'bin-ssh');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'ssh'),
      `#!/bin/sh\nprintf 'ssh: connect to host: ${PAINT.replace(/\r/g, '')}\\n' >&2\nexit 255\n`,
    );
    chmodSync(join(bin, 'ssh'), 0o755);
    const run = await runCli(['inventory', '--no-local', '--ssh', 'gpu-box', '--timeout', '20'], {
      env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
    });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /gpu-box \(ssh\): unreachable: connect to host: \\x1b\[2J/);
    assertClean(run, 'ssh stderr');
  });

  describe('2. unbounded time', () => {
    test('a suppression comment with an 8 KB run of spaces lints in about the time of a plain file', async () => {
      const plain = join(dir, 'plain.yaml');
      const spaces = join(dir, 'spaces.yaml');
      writeFileSync(plain, POD('c', 'meta-llama/Llama-3.1-8B-Instruct'));
      // The old pattern backtracked cubically here: 8 KB took 85 s.
      writeFileSync(
        spaces,
        `${POD('c', 'meta-llama/Llama-3.1-8B-Instruct')}# gpu-workbench-disable${' '.repeat(8192)}x#\n`,
      );
      const baseline = await runCli(['lint', plain]);
      const hostile = await runCli(['lint', spaces]);
      assert.equal(hostile.code, baseline.code);
      assertBounded(hostile, baseline, 3, 2);
    });

    test('a GPU type of 200 KB in a plan and a --default-gpu of 200 KB are refused at once', async () => {
      const long = 'H100 '.repeat(40_000);
      const lint = await runCli(['lint', join(dir, 'plain.yaml'), '--default-gpu', long.slice(0, 100_000)]);
      assert.equal(lint.code, 2);
      assert.ok(lint.ms < 10_000, `${lint.ms} ms`);
      const problem = join(dir, 'long-type.json');
      writeFileSync(
        problem,
        JSON.stringify({ gpus: [{ type: long, count: 1 }], models: [{ name: 'm', memoryGiB: 1 }] }),
      );
      const plan = await runCli(['plan', problem]);
      assert.equal(plan.code, 2);
      assert.match(plan.stderr, /longer than 200 characters/);
      assert.ok(plan.ms < 10_000, `${plan.ms} ms`);
    });

    test('provisioning with 10,000 models is refused before any solve (it took 100 s at --time-limit 2)', async () => {
      const problem = join(dir, 'many.json');
      const models = Array.from({ length: 10_000 }, (_, i) => ({
        name: `m${i}`,
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        demand: { requestsPerSecond: 1 },
      }));
      writeFileSync(problem, JSON.stringify({ gpus: [{ type: 'h100-sxm' }], models }));
      const run = await runCli(['plan', problem, '--time-limit', '2']);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /at most 1000 models/);
      assert.ok(run.ms < 10_000, `${run.ms} ms`);
    });

    test('provisioning at the caps (1,000 models, every GPU type): the time limit bounds the whole command', async () => {
      const problem = join(dir, 'provision.json');
      const ids = ['meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-70B-Instruct', 'Qwen/Qwen3-32B'];
      const models = Array.from({ length: 1000 }, (_, i) => ({
        name: `m${i}`,
        model: ids[i % 3],
        demand: { requestsPerSecond: 1 + (i % 5), ttftMs: 500 + i, tpotMs: 50 },
      }));
      const types = ['a10g', 'l4', 'l40s', 'a100-40gb', 'a100-80gb', 'h100-pcie', 'h100-sxm', 'h200', 'b200'];
      types.push('mi300x', 'rtx-4090', 'rtx-5090', 'rtx-6000-ada', 'rtx-3090');
      writeFileSync(problem, JSON.stringify({ gpus: types.map((type) => ({ type })), models }));
      const run = await runCli(['plan', problem, '--time-limit', '1'], { timeoutMs: 60_000 });
      // 1 s of solving, start-up, and the watchdog's grace (2 x 2 s) at most.
      assert.ok(run.ms < 1000 + 4000 + 6000, `${run.ms} ms`);
      assert.ok(run.code === 0 || run.code === 1, `exit ${run.code}: ${run.stderr}`);
      assert.match(run.stdout + run.stderr, /the 1 s time limit|its 1 s time limit/);
      assertNoStack(run);
    });
  });

  describe('3. unbounded memory', () => {
    test('lint - stops reading standard input at 2 MiB (64 MiB sent), exit 2, peak RSS near the baseline', async () => {
      const baseline = await runCli(['lint', '-'], { stdin: POD('c', 'meta-llama/Llama-3.1-8B-Instruct') });
      const chunk = Buffer.alloc(1024 * 1024, 'a: b\n');
      const hostile = await runCli(['lint', '-'], {
        stdin: (stdin) => {
          let sent = 0;
          const write = () => {
            while (sent < 64) {
              sent++;
              if (!stdin.write(chunk)) return void stdin.once('drain', write);
            }
            stdin.end();
          };
          write();
        },
      });
      assert.equal(hostile.code, 2, hostile.stderr);
      assert.match(hostile.stderr, /standard input is larger than 2 MiB/);
      assertBounded(hostile, baseline, 5, 1.6);
    });

    test('a 600 MB file (sparse) is not read: one finding says it was skipped', async () => {
      const folder = join(dir, 'big');
      mkdirSync(folder);
      const big = join(folder, 'huge.yaml');
      writeFileSync(big, '');
      execFileSync('truncate', ['-s', '600M', big]);
      const baseline = await runCli(['lint', join(dir, 'plain.yaml')]);
      const run = await runCli(['lint', folder, '--format', 'json']);
      assert.equal(run.code, 0, run.stderr);
      const findings = (JSON.parse(run.stdout) as { findings: { ruleId: string; message: string }[] }).findings;
      assert.equal(findings.length, 1);
      assert.match(findings[0]!.message, /600 MiB is over the 2 MiB limit/);
      assertBounded(run, baseline, 3, 1.6);
    });

    test('linting 40 files of 1.9 MB keeps each file only as long as it is needed (peak RSS near one file)', async () => {
      const folder = join(dir, 'many');
      mkdirSync(folder);
      const pad = `# ${'x'.repeat(60)}\n`.repeat(30_000); // 1.9 MB of comment after the manifest
      writeFileSync(join(folder, 'f00.yaml'), POD('c', 'meta-llama/Llama-3.1-8B-Instruct') + pad);
      const baseline = await runCli(['lint', join(folder, 'f00.yaml'), '--format', 'json']);
      for (let i = 1; i < 40; i++)
        writeFileSync(join(folder, `f${String(i).padStart(2, '0')}.yaml`), POD('c', 'x') + pad);
      const run = await runCli(['lint', folder, '--format', 'json']);
      assert.equal(run.code, 1, run.stderr);
      assert.equal(
        new Set((JSON.parse(run.stdout) as { findings: { file: string }[] }).findings.map((f) => f.file)).size,
        40,
      );
      // Before: every file's text was kept to the end (40 x 1.9 MB as UTF-16 and more): 4x the baseline.
      assertBounded(run, baseline, 60, 2.5);
    });

    test('plan: memoryGiB 1e7 is refused (the arc-flow model took 4.7 GB and aborted)', async () => {
      const problem = join(dir, 'huge-memory.json');
      writeFileSync(
        problem,
        JSON.stringify({ gpus: [{ type: 'big', count: 2, memoryGiB: 1e7 }], models: [{ name: 'm', memoryGiB: 1 }] }),
      );
      const run = await runCli(['plan', problem]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /"memoryGiB" must be at most 4096/);
    });

    test('a Hub config.json that is a gzip bomb stops at 1 MiB decompressed', async () => {
      // 256 MiB of spaces compress to about 256 KiB; the old code read the body whole.
      const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024, ' '));
      const server = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(bomb);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const port = (server.address() as { port: number }).port;
        const env = { HF_HUB_OFFLINE: '0', HF_ENDPOINT: `http://127.0.0.1:${port}`, HF_HOME: join(dir, 'hf-empty') };
        const baseline = await runCli(['estimate', '--model', 'meta-llama/Llama-3.1-8B-Instruct', '--gpu', 'h100-sxm']);
        const run = await runCli(['estimate', '--model', 'bomb/model', '--gpu', 'h100-sxm'], { env });
        assert.equal(run.code, 1, run.stderr);
        assert.match(run.stderr, /larger than a config\.json can be/);
        assertBounded(run, baseline, 5, 1.6);
      } finally {
        server.close();
      }
    });
  });

  describe('4. one bad input ends nothing else', () => {
    test('130,000 duplicate keys beside a good file: both files keep their findings, SARIF is whole', async () => {
      const folder = join(dir, 'dups');
      mkdirSync(folder);
      writeFileSync(join(folder, 'a-dups.yaml'), 'a: 1\n'.repeat(130_000));
      writeFileSync(join(folder, 'b-pod.yaml'), POD('c', 'meta-llama/Llama-3.1-8B-Instruct'));
      writeFileSync(join(folder, 'c-args.yaml'), POD('c', `x ${'w '.repeat(200_000)}`));
      const run = await runCli(['lint', folder, '--format', 'sarif']);
      assertNoStack(run);
      const sarif = JSON.parse(run.stdout) as {
        runs: {
          results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
        }[];
      };
      const files = new Set(sarif.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri));
      assert.ok(
        [...files].some((f) => f.endsWith('a-dups.yaml')),
        'the duplicate keys are reported',
      );
      assert.ok(
        [...files].some((f) => f.endsWith('b-pod.yaml')),
        "the good file's findings are kept",
      );
      assert.ok(
        sarif.runs[0]!.results.filter((r) => r.ruleId === 'duplicate-key').length <= 100,
        'duplicate keys are capped per file',
      );
    });

    for (const command of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      test(`gpu-workbench ${command} is an unknown command (exit 2), not a crash`, async () => {
        const run = await runCli([command]);
        assert.equal(run.code, 2);
        assert.match(run.stderr, new RegExp(`unknown command "${command}"`));
        assertNoStack(run);
      });
    }

    test('kubectl: capacity 50,000,000 and "1e308" mark their nodes, the good node still shows', async () => {
      const bin = join(dir, 'bin-kubectl');
      mkdirSync(bin);
      const node = (name: string, gpus: string) => ({
        metadata: { name, labels: { 'nvidia.com/gpu.product': `NVIDIA-H100-80GB-HBM3${PAINT}` } },
        status: { capacity: { 'nvidia.com/gpu': gpus }, allocatable: { 'nvidia.com/gpu': gpus } },
      });
      const nodes = { items: [node('huge', '50000000'), node('inf', '1e308'), node(`good${PAINT}`, '8')] };
      writeFileSync(join(bin, 'nodes.json'), JSON.stringify(nodes));
      writeFileSync(join(bin, 'kubectl'), `#!/bin/sh\ncat "$(dirname "$0")/nodes.json"\n`);
      chmodSync(join(bin, 'kubectl'), 0o755);
      const env = { PATH: `${bin}:${process.env.PATH ?? ''}` };
      const run = await runCli(['inventory', '--no-local', '--kubernetes', '--timeout', '20'], { env });
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, /huge \(kubernetes\): failed: reports 50000000 GPUs/);
      assert.match(run.stdout, /inf \(kubernetes\): failed: reports 1e308 GPUs/);
      assert.match(run.stdout, /good\\x1b\[2J.* \(kubernetes\), k8s 8\/8 GPUs allocatable/);
      assertClean(run, 'kubectl inventory');
      assert.ok(run.maxRssKiB! < 300 * 1024, `peak RSS ${run.maxRssKiB} KiB`);
    });
  });

  describe('Prometheus answers', () => {
    let server: Server;
    let url = '';
    const answers: Record<string, () => unknown> = {};
    before(async () => {
      server = createServer((req, res) => {
        const key = (req.url ?? '').split('/')[1] ?? '';
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answers[key]?.() ?? {}));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    after(() => server.close());

    const sample = (metric: Record<string, unknown>, value = '1') => ({
      metric: { __name__: 'DCGM_FI_DEV_FB_USED', gpu: '0', UUID: 'GPU-1', ...metric },
      value: [0, value],
    });

    test('labels with escapes are shown escaped; a label that is an object costs its own value only', async () => {
      answers.paint = () => ({
        status: 'success',
        data: {
          resultType: 'vector',
          result: [
            sample({ Hostname: `node${PAINT}`, modelName: `H100${PAINT}`, pod: `p${PAINT}`, namespace: 'ns' }),
            sample({ Hostname: 'object-label', modelName: { toString: 'x' }, pod: ['a'], gpu: { x: 1 } }),
          ],
        },
      });
      const run = await runCli(['inventory', '--no-local', '--prometheus', `${url}/paint`, '--timeout', '20']);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /node\\x1b\[2J/);
      assert.match(run.stdout, /object-label \(prometheus\)/);
      assertClean(run, 'prometheus inventory');
    });

    test('50,000 pods on one GPU are de-duplicated in linear time', async () => {
      answers.pods = () => ({
        status: 'success',
        data: {
          resultType: 'vector',
          result: Array.from({ length: 50_000 }, (_, i) => sample({ Hostname: 'h', pod: `p${i}`, namespace: 'n' })),
        },
      });
      answers.one = () => ({
        status: 'success',
        data: { resultType: 'vector', result: [sample({ Hostname: 'h', pod: 'p', namespace: 'n' })] },
      });
      const baseline = await runCli(['inventory', '--no-local', '--prometheus', `${url}/one`, '--json']);
      const run = await runCli(['inventory', '--no-local', '--prometheus', `${url}/pods`, '--json']);
      assert.equal(run.code, 0, run.stderr);
      const hosts = (JSON.parse(run.stdout) as { hosts: { gpus: { workloads: unknown[] }[] }[] }).hosts;
      assert.equal(hosts[0]!.gpus[0]!.workloads.length, 50_000);
      assertBounded(run, baseline, 5, 3);
    });
  });

  describe('5. secrets', () => {
    test('an HF_TOKEN with a line break is never printed, and never sent', async () => {
      let contacted = false;
      const server = createServer((_req, res) => {
        contacted = true;
        res.writeHead(500);
        res.end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const token = 'hf_SECRETabcdefghijklmnop\nSECONDLINEqrstuvwxyz';
        const run = await runCli(['estimate', '--model', 'gated/model', '--gpu', 'h100-sxm'], {
          env: {
            HF_HUB_OFFLINE: '0',
            HF_TOKEN: token,
            HF_HOME: join(dir, 'hf-empty'),
            HF_ENDPOINT: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
          },
        });
        assert.equal(run.code, 1);
        assert.match(run.stderr, /token holds spaces, a line break/);
        assert.doesNotMatch(run.stdout + run.stderr, /SECRET|SECONDLINE/);
        assert.equal(contacted, false);
      } finally {
        server.close();
      }
    });

    test('a Prometheus URL with user:password@ is refused and shown without the password', async () => {
      const run = await runCli(['inventory', '--no-local', '--prometheus', 'http://admin:hunter2pass@127.0.0.1:9/']);
      assert.equal(run.code, 1);
      assert.match(run.stdout, /put credentials in the token/);
      assert.doesNotMatch(run.stdout + run.stderr, /hunter2pass/);
      const json = await runCli([
        'inventory',
        '--no-local',
        '--prometheus',
        'http://admin:hunter2pass@127.0.0.1:9/',
        '--json',
      ]);
      assert.doesNotMatch(json.stdout + json.stderr, /hunter2pass/);
    });

    test('the editor path: a Prometheus token with a line break is not sent and not quoted', async () => {
      let contacted = false;
      const server = createServer((_req, res) => {
        contacted = true;
        res.end('{}');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
        const token = 'prom_SECRETabcdefgh\nSECONDLINEijklmnop';
        const hosts = await queryPrometheusDcgm(url, { timeoutMs: 5000, token });
        const reason = hosts[0]?.status.kind === 'ok' ? '' : (hosts[0]?.status.reason ?? '');
        assert.match(reason, /token holds spaces, a line break/);
        assert.doesNotMatch(JSON.stringify(hosts), /SECRET|SECONDLINE/);
        assert.equal(contacted, false);
      } finally {
        server.close();
      }
    });

    test('an HF_ENDPOINT with credentials is not echoed when the Hub fails', async () => {
      const run = await runCli(['estimate', '--model', 'org/model', '--gpu', 'h100-sxm'], {
        env: {
          HF_HUB_OFFLINE: '0',
          HF_HOME: join(dir, 'hf-empty'),
          HF_ENDPOINT: 'http://user:topsecretpw@127.0.0.1:9',
        },
      });
      assert.equal(run.code, 1);
      assert.doesNotMatch(run.stdout + run.stderr, /topsecretpw/);
    });
  });

  describe('the listed weaknesses', () => {
    for (const [flag, value] of [
      ['--timeout', '2147484'], // 2^31 ms and a bit: the timer wrapped to an instant "did not finish"
      ['--timeout', '0.0001'], // 0.1 ms: a RangeError (exit 1) before
      ['--timeout', '1e400'],
    ] as const) {
      test(`inventory ${flag} ${value} is a usage error (exit 2)`, async () => {
        const run = await runCli(['inventory', '--no-local', flag, value]);
        assert.equal(run.code, 2, run.stdout + run.stderr);
        assert.match(run.stderr, /--timeout must be/);
      });
    }

    test('plan --time-limit past a day is a usage error (exit 2)', async () => {
      const run = await runCli(['plan', join(dir, 'huge-memory.json'), '--time-limit', '3000000']);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /--time-limit must be from 0.001 to 86400 seconds/);
    });

    test('config.json with a negative or fractional size is refused (exit 2), not "Fits."', async () => {
      const base = {
        model_type: 'llama',
        hidden_size: 4096,
        num_hidden_layers: 32,
        num_attention_heads: 32,
        num_key_value_heads: 8,
        intermediate_size: 14336,
        vocab_size: 128256,
      };
      for (const [key, value] of [
        ['hidden_size', -4096],
        ['num_hidden_layers', 0.5],
        ['intermediate_size', -1],
        ['vocab_size', 1e300],
      ] as const) {
        const file = join(dir, `config-${key}.json`);
        writeFileSync(file, JSON.stringify({ ...base, [key]: value }));
        const run = await runCli(['estimate', '--model', file, '--gpu', 'h100-sxm']);
        assert.equal(run.code, 2, `${key}=${value}: ${run.stdout}${run.stderr}`);
        assert.match(run.stderr, new RegExp(`"${key}" is .*not a whole number`));
        assert.doesNotMatch(run.stdout, /Fits/);
      }
    });

    test('estimate --tp 3 on a 32-head model is a usage error (vLLM refuses it too)', async () => {
      const run = await runCli([
        'estimate',
        '--model',
        'meta-llama/Llama-3.1-8B-Instruct',
        '--gpu',
        'h100-sxm',
        '--tp',
        '3',
      ]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /--tp 3 does not divide .*32 attention heads/);
    });

    test('provisioning names with control characters or over 200 characters are refused (GLPK aborted)', async () => {
      for (const name of [`a${ESC}b`, 'x'.repeat(300), `tab\tname`]) {
        const file = join(dir, 'bad-name.json');
        writeFileSync(
          file,
          JSON.stringify({
            gpus: [{ type: 'h100-sxm' }],
            models: [{ name, model: 'meta-llama/Llama-3.1-8B-Instruct', demand: { requestsPerSecond: 1 } }],
          }),
        );
        const run = await runCli(['plan', file]);
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, /"name" (holds a control character|is longer than 200 characters)/);
        assertClean(run, 'bad name');
      }
    });

    test('--model /dev/zero and a FIFO are refused at once (exit 2), nothing read', async () => {
      const fifo = join(dir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      for (const model of ['/dev/zero', fifo]) {
        const run = await runCli(['estimate', '--model', model, '--gpu', 'h100-sxm'], { timeoutMs: 20_000 });
        assert.equal(run.killed, false, `${model}: the CLI hung`);
        assert.equal(run.code, 2, `${model}: ${run.stderr}`);
        assert.match(run.stderr, /is not a regular file/);
      }
      // The repository's calibration file is read by every estimate, suggest and plan run in it.
      const repoDir = join(dir, 'calibrated');
      mkdirSync(join(repoDir, '.gpu-workbench'), { recursive: true });
      execFileSync('mkfifo', [join(repoDir, '.gpu-workbench', 'calibration.json')]);
      const suggest = await runCli(['suggest', '--model', 'meta-llama/Llama-3.1-8B-Instruct', '--gpu', 'h100-sxm'], {
        cwd: repoDir,
        timeoutMs: 20_000,
      });
      assert.equal(suggest.killed, false, 'a FIFO as the calibration file hung the CLI');
      assert.match(suggest.stderr, /calibration\.json is not a regular file; ignored/);
      const lint = await runCli(['lint', fifo], { timeoutMs: 20_000 });
      assert.equal(lint.killed, false, 'lint on a FIFO hung');
      assert.equal(lint.code, 2);
    });

    test('YAML soups under the size cap are refused by the work caps, in bounded memory', async () => {
      const baseline = await runCli(['lint', join(dir, 'plain.yaml')]);
      const soups: Record<string, string> = {
        'flow.yaml': `[${'a,'.repeat(1_000_000)}a]`,
        'aliases.yaml': `a: &x [1]\nb: [${Array.from({ length: 500_000 }, () => '*x').join(',')}]\n`,
        'deep.yaml': `${'['.repeat(500_000)}${']'.repeat(500_000)}`,
        'lines.yaml': '- a\n'.repeat(500_000),
      };
      for (const [name, text] of Object.entries(soups)) {
        const file = join(dir, name);
        writeFileSync(file, text);
        const run = await runCli(['lint', file]);
        // Information, as a file past the 2 MiB cap is: the file was not read, nothing in it is an error.
        assert.equal(run.code, 0, `${name}: ${run.stderr}`);
        assert.match(run.stdout, /info YAML: Not read: this file has (more than|nested deeper)/, name);
        // Before: 4-18 s and 0.6-2.7 GB each.
        assertBounded(run, baseline, 3, 2);
      }
    });
  });
});
