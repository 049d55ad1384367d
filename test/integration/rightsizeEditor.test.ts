/**
 * The right-size diagnostics adapter on the stand-in `vscode` (test/unit/vscodeStub.ts) against a
 * real Prometheus with a week of history: an opened manifest gets its gpu-right-size diagnostics,
 * the quick fix's edits rewrite the flag and the GPU count, and an edit is judged again from the
 * cached observations without asking Prometheus (stopped by then).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openMetrics, startPrometheusWithHistory, type PrometheusHistory } from '../harness/prometheusHistory.ts';
import { servingHistory } from '../harness/rightsizeHistory.ts';
import {
  diagnosticCalls,
  events,
  FakeDocument,
  installVscodeStub,
  settingValues,
  Uri,
  workspace,
} from '../unit/vscodeStub.ts';

const repo = resolve(import.meta.dirname, '..', '..');
installVscodeStub(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')));
const { RightSizeDiagnostics } = await import('../../src/features/rightsize/rightSizeDiagnostics.ts');
const { applyEdits } = await import('../../src/core/lint/lint.ts');

const manifest = readFileSync(join(repo, 'test', 'fixtures', 'rightsize', 'serving.yaml'), 'utf8');
const log = { info() {}, warn() {}, error() {}, debug() {}, trace() {} };
const secrets = { get: async () => undefined };

async function until(check: () => boolean, what: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

describe('RightSizeDiagnostics (stand-in vscode, real Prometheus)', { timeout: 300_000 }, () => {
  let prom: PrometheusHistory;
  let diagnostics: InstanceType<typeof RightSizeDiagnostics>;
  const doc = new FakeDocument(Uri.file('/work/rs/serving.yaml'), manifest);
  const callsFor = () => diagnosticCalls.filter((c) => c.uri === doc.uri.toString());

  before(async () => {
    prom = await startPrometheusWithHistory(openMetrics(servingHistory(Math.floor(Date.now() / 1000))));
    settingValues.set('prometheus.url', prom.url);
    diagnostics = new RightSizeDiagnostics(Uri.file('/ext') as never, secrets as never, log as never);
  });
  after(async () => {
    diagnostics?.dispose();
    settingValues.delete('prometheus.url');
    await prom?.stop();
  });

  test('an opened manifest gets a diagnostic per workload, and the idle one a fix', async () => {
    workspace.textDocuments.push(doc);
    events.open.fire(doc);
    await until(() => callsFor().some((c) => c.messages.length > 0), 'the manifest was right-sized');
    const messages = callsFor().at(-1)!.messages;
    assert.equal(messages.length, 7, messages.join('\n'));
    assert.ok(messages.some((m) => /serving\/llama-idle can run on fewer GPUs/.test(m)));
    assert.ok(messages.some((m) => /serving\/llama-busy needs more GPUs/.test(m)));
    const idle = diagnostics.findingsFor(doc as never).find((f) => f.message.includes('llama-idle'))!;
    assert.equal(idle.fix?.title, 'Use --tensor-parallel-size 1 and 1 GPU per pod');
    const fixed = applyEdits(manifest, idle.fix!.edits);
    const idleDoc = fixed.slice(fixed.indexOf('name: llama-idle'), fixed.indexOf('name: llama-busy'));
    assert.match(idleDoc, /- --tensor-parallel-size\n\s+- "1"/);
    assert.match(idleDoc, /nvidia\.com\/gpu: 1\n/);
  });

  test('after the fix is applied, the idle workload is judged again from the cache (Prometheus is gone)', async () => {
    await prom.stop();
    const idle = diagnostics.findingsFor(doc as never).find((f) => f.message.includes('llama-idle'))!;
    const before = callsFor().length;
    doc.edit(applyEdits(doc.text, idle.fix!.edits));
    events.change.fire({ document: doc });
    await until(() => callsFor().length > before, 'the edited manifest was judged again');
    const messages = callsFor().at(-1)!.messages;
    // At TP 1 on one GPU nothing is lower: no fewer-GPUs finding for llama-idle (a cheaper card may
    // still be named), the others as before.
    assert.ok(!messages.some((m) => /llama-idle can run on fewer GPUs/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /serving\/llama-busy needs more GPUs/.test(m)));
  });
});
