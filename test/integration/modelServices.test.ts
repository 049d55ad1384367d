/**
 * Model services on this machine: a stand-in engine process whose command line reads
 * `vllm serve <model> --port <port>` (as vLLM's own does) serves vLLM's exposition format on
 * 127.0.0.1; it is found by its PID's command line and its figures read from its /metrics.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, killGroup, waitForPort } from '../harness/processes.ts';
import { localServices, readEngineMetrics } from '../../src/node/localServices.ts';
import { withRates } from '../../src/features/services/serviceRows.ts';

const page = join(resolve(import.meta.dirname, '..', 'fixtures', 'services', 'vllm-metrics.txt'));
// Serves the page; every request adds 100 generated tokens, so two reads give a rate.
// It also starts one child, renamed as vLLM V1 renames its model processes (VLLM::Worker_TP0): the
// child is what holds a GPU, and the engine is found from it through its parent.
const STAND_IN = `
const { spawn } = require('node:child_process');
const worker = spawn(process.execPath, ['-e', 'process.title = "VLLM::Worker_TP0"; setInterval(() => {}, 1e9)'], { stdio: 'ignore' });
process.stdout.write('worker ' + worker.pid + '\\n');
const { readFileSync } = require('node:fs');
const http = require('node:http');
const text = readFileSync(process.env.PAGE, 'utf8');
let extra = 0;
http.createServer((req, res) => {
  if (req.url !== '/metrics') return res.writeHead(404).end();
  extra += 100;
  res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  res.end(text.replace(/(vllm:generation_tokens_total\\{[^}]*\\}) 3400.0/, (_, s) => s + ' ' + (3400 + extra)));
}).listen(Number(process.argv.at(-1)), '127.0.0.1');
`;

describe('Model services: a local engine by command line and its /metrics', { timeout: 60_000 }, () => {
  let child: ChildProcess;
  let port: number;
  let workerPid: number;

  before(async () => {
    port = await freePort();
    let logs = '';
    child = spawn(
      process.execPath,
      ['-e', STAND_IN, 'vllm', 'serve', 'meta-llama/Llama-3.1-8B-Instruct', '--port', String(port)],
      { env: { ...process.env, PAGE: page }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
    let out = '';
    const started = new Promise<number>((done) =>
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /worker (\d+)\n/.exec(out);
        if (m) done(Number(m[1]));
      }),
    );
    await waitForPort(port, child, 20_000, () => logs);
    workerPid = await started;
  });
  after(() => killGroup(child));

  test('found among the PIDs with its port and model, with its figures', async () => {
    const found = await localServices([child.pid!, process.pid]);
    assert.equal(found.length, 1);
    const [s] = found;
    assert.deepEqual(
      [s!.engine, s!.model, s!.port, s!.pid],
      ['vllm', 'meta-llama/Llama-3.1-8B-Instruct', port, child.pid],
    );
    assert.equal(s!.snapshot?.kvCacheUsage, 0.25);
    assert.equal(s!.snapshot?.running, 3);
    assert.equal(s!.snapshot?.waiting, 1);
  });

  test("found from its model process (vLLM V1's EngineCore or TP worker holds the GPU, not the server)", async () => {
    const found = await localServices([workerPid]);
    assert.equal(found.length, 1);
    assert.deepEqual(
      [found[0]!.engine, found[0]!.pid, found[0]!.gpuPids, found[0]!.snapshot?.kvCacheUsage],
      ['vllm', child.pid, [workerPid], 0.25],
    );
  });

  test('two reads give generated tokens per second', async () => {
    const [first] = await localServices([child.pid!]);
    await new Promise((r) => setTimeout(r, 500));
    const [second] = await localServices([child.pid!]);
    const shown = withRates(second!, [], first);
    // 100 tokens more between two reads about half a second apart: 100 / seconds between them.
    const seconds = (second!.atMs - first!.atMs) / 1000;
    assert.ok(Math.abs(shown.generationTokensPerSecond! - 100 / seconds) < 1e-9);
  });

  test('a port with nothing behind it is an error, not a crash', async () => {
    const closed = await freePort();
    const read = await readEngineMetrics(`http://127.0.0.1:${closed}/metrics`, 2000);
    assert.equal(read.ok, false);
  });
});
