/**
 * Run… / Stop… / Logs against real programs: a stand-in engine (serving vLLM's exposition format,
 * its command line reading `vllm serve <model> --port <port>`) is started on the "remote" host
 * through OpenSSH's real sshd with the argv Run… builds, found there by its command line, its
 * figures read by curl over ssh, and stopped by PID over ssh. kubectl: a stand-in on a path that
 * records its argv (no cluster here).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { deletePod } from '../../src/node/kubectl.ts';
import { remoteServices, sshRunArgs, stopRemoteService } from '../../src/node/remoteServices.ts';
import { querySshHost, type SshOptions } from '../../src/node/sshGpus.ts';
import { gpusByProcess } from '../../src/features/services/serviceRows.ts';
import { ensureAptPackages, freePort, killGroup, waitForPort } from '../harness/processes.ts';
import { startSshLab, type SshLab } from '../harness/sshd.ts';

const page = join(resolve(import.meta.dirname, '..', 'fixtures', 'services', 'vllm-metrics.txt'));
// Prints its PID (the `exec` in the remote command line keeps the shell's), then serves the page.
const STAND_IN = `
const { readFileSync } = require('node:fs');
const text = readFileSync(process.argv[1], 'utf8');
require('node:http').createServer((req, res) => {
  if (req.url !== '/metrics') return res.writeHead(404).end();
  res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  res.end(text);
}).listen(Number(process.argv.at(-1)), '127.0.0.1', () => console.log('pid ' + process.pid));
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a model server started and stopped on an SSH host (real sshd)', { timeout: 90_000 }, () => {
  let lab: SshLab;
  let options: SshOptions;
  let dir: string;
  let engineSet: string;
  let ssh: ChildProcess | undefined;
  before(async () => {
    await ensureAptPackages({ curl: '/usr/bin/curl' });
    dir = mkdtempSync(join(tmpdir(), 'gpu-workbench-run-'));
    engineSet = join(dir, 'engine-set');
    mkdirSync(engineSet);
    const h100 = join(resolve(import.meta.dirname, '..', 'fixtures', 'nvidia-smi', 'sets', 'h100-busy-a10g-na'));
    for (const file of ['list.txt', 'query-gpu.csv']) copyFileSync(join(h100, file), join(engineSet, file));
    lab = await startSshLab({ aliveCount: 1, setHosts: { 'engine-box': engineSet } });
    options = {
      sshPath: '/usr/bin/ssh',
      configFile: lab.configFile,
      connectTimeoutSeconds: 3,
      commandTimeoutSeconds: 10,
      concurrency: 4,
    };
  });
  after(async () => {
    await killGroup(ssh);
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('started with its argv intact, found by command line, read over ssh, stopped by PID', async () => {
    const port = await freePort();
    const marker = join(dir, 'pwned');
    // A served name with a quote, a command substitution and a semicolon: it must arrive as one word.
    const hostile = `it's $(touch ${marker}); touch ${marker}`;
    const argv = [
      process.execPath,
      '-e',
      STAND_IN,
      page,
      'vllm',
      'serve',
      'meta-llama/Llama-3.1-8B-Instruct',
      '--served-model-name',
      hostile,
      '--port',
      String(port),
    ];
    const args = sshRunArgs(lab.aliveHosts[0]!, options, [['STAND_IN_MARK', 'a b']], argv);
    assert.ok(args.ok);
    ssh = spawn(options.sshPath, args.args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    ssh.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    ssh.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    await waitForPort(port, ssh, 20_000, () => err);
    for (let i = 0; i < 50 && !/pid \d+/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    const pid = Number(/pid (\d+)/.exec(out)?.[1]);
    assert.ok(pid > 1, `no pid in ${JSON.stringify(out)}`);
    // What the host's process table says the server runs with: the words as given, the variable set.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    assert.deepEqual(cmdline.slice(3), argv.slice(3));
    assert.match(readFileSync(`/proc/${pid}/environ`, 'utf8'), /(^|\0)STAND_IN_MARK=a b\0/);
    assert.equal(existsSync(marker), false);

    // Found among the host's PIDs (a sleep beside it is not an engine); figures from vllm-metrics.txt.
    const sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
    try {
      const found = await remoteServices(lab.aliveHosts[0]!, [pid, sleeper.pid!], options);
      assert.ok(found.ok, found.ok ? '' : found.message);
      assert.equal(found.services.length, 1);
      const [s] = found.services;
      assert.deepEqual([s!.host, s!.pid, s!.engine, s!.port], [lab.aliveHosts[0], pid, 'vllm', port]);
      // The fixture's vllm:gpu_cache_usage_perc is 0.25; 3 running, 1 waiting.
      assert.deepEqual([s!.snapshot?.kvCacheUsage, s!.snapshot?.running, s!.snapshot?.waiting], [0.25, 3, 1]);

      // Stop refuses a PID that is not (any more) the engine shown, and leaves it running.
      const expected = { engine: 'vllm' as const, port, model: 'meta-llama/Llama-3.1-8B-Instruct' };
      const wrong = await stopRemoteService(lab.aliveHosts[0]!, sleeper.pid!, expected, options);
      assert.match(wrong ?? '', /no longer the vllm server/);
      const otherPort = await stopRemoteService(lab.aliveHosts[0]!, pid, { ...expected, port: port + 1 }, options);
      assert.match(otherPort ?? '', /no longer the vllm server on port/);
      assert.equal(alive(sleeper.pid!), true);
      assert.equal(alive(pid), true);
    } finally {
      sleeper.kill('SIGKILL');
    }

    const sshExited = new Promise<void>((r) => ssh!.once('exit', () => r()));
    const stopped = await stopRemoteService(lab.aliveHosts[0]!, pid, { engine: 'vllm', port }, options);
    assert.equal(stopped, undefined);
    await sshExited; // the server exited on SIGTERM, so the session that ran it ended
    assert.equal(alive(pid), false);
    const again = await stopRemoteService(lab.aliveHosts[0]!, pid, { engine: 'vllm', port }, options);
    assert.match(again ?? '', /no longer running/);
  });

  test("from the host's inventory: its GPU processes' PIDs, the engine among them, the GPU it holds", async () => {
    const port = await freePort();
    const server = spawn(
      process.execPath,
      ['-e', STAND_IN, page, 'vllm', 'serve', 'Qwen/Qwen2.5-7B-Instruct', '--port', String(port)],
      {
        detached: true,
        stdio: 'ignore',
      },
    );
    try {
      await waitForPort(port, server, 20_000, () => '');
      // nvidia-smi on engine-box lists the server on GPU 0 (its compute-apps format: uuid, pid, name, MiB).
      writeFileSync(
        join(engineSet, 'query-apps.csv'),
        `GPU-9731e5be-8732-18b0-f37f-9f31980b2c46, ${server.pid}, python3, 70144\n`,
      );
      const host = await querySshHost('engine-box', options);
      assert.deepEqual(host.status, { kind: 'ok' });
      const pids = host.gpus.flatMap((g) => g.processes.map((p) => p.pid));
      assert.deepEqual(pids, [server.pid]);
      const found = await remoteServices(host.label, pids, options);
      assert.ok(found.ok, found.ok ? '' : found.message);
      assert.deepEqual(
        found.services.map((s) => [s.engine, s.model, s.port, s.snapshot?.kvCacheUsage]),
        [['vllm', 'Qwen/Qwen2.5-7B-Instruct', port, 0.25]],
      );
      const gpus = gpusByProcess({ hosts: [host], takenAt: '' }).get(`ssh:engine-box|${server.pid}`);
      assert.deepEqual(
        gpus?.map((g) => [g.index, g.uuid, g.name]),
        [[0, 'GPU-9731e5be-8732-18b0-f37f-9f31980b2c46', 'NVIDIA H100 80GB HBM3']],
      );
    } finally {
      await killGroup(server);
    }
  });

  test('a host that does not answer is a reason, not a hang', async () => {
    const found = await remoteServices(lab.deadHost, [1234], options);
    assert.equal(found.ok, false);
    assert.match(found.ok ? '' : found.message, /Connection refused/);
  });
});

describe('kubectl for a pod (a stand-in that records its argv)', () => {
  test('delete pod -n NS NAME with the kubeconfig and context; a hostile name never reaches kubectl', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-workbench-kubectl-'));
    try {
      const record = join(dir, 'argv');
      const kubectl = join(dir, 'kubectl');
      writeFileSync(kubectl, `#!/bin/sh\nprintf '%s\\n' "$@" >> '${record}'\necho 'pod "llama-70b-0" deleted'\n`);
      chmodSync(kubectl, 0o755);
      const options = { kubectlPath: kubectl, kubeconfig: '/tmp/kc', context: 'prod', timeoutMs: 5000 };
      assert.equal(await deletePod('serving', 'llama-70b-0', options), undefined);
      assert.deepEqual(readFileSync(record, 'utf8').split('\n').filter(Boolean), [
        '--kubeconfig=/tmp/kc',
        '--context=prod',
        'delete',
        'pod',
        '-n',
        'serving',
        'llama-70b-0',
        '--wait=false',
      ]);
      rmSync(record);
      // With no kubectlPath, the first kubectl on PATH: the stand-in, ahead of the real one.
      const path = process.env.PATH;
      process.env.PATH = `${dir}:${path ?? ''}`;
      try {
        assert.equal(await deletePod('serving', 'llama-70b-0', { ...options, kubectlPath: undefined }), undefined);
      } finally {
        process.env.PATH = path;
      }
      assert.deepEqual(readFileSync(record, 'utf8').split('\n').filter(Boolean).slice(-6), [
        'delete',
        'pod',
        '-n',
        'serving',
        'llama-70b-0',
        '--wait=false',
      ]);
      rmSync(record);
      assert.match((await deletePod('serving', '--all', options)) ?? '', /not a Kubernetes pod name/);
      assert.equal(existsSync(record), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
