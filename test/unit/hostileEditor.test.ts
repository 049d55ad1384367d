/**
 * The editor's text surfaces for untrusted names: GPU tree labels, descriptions and tooltips, and
 * the log channel, on a stand-in `vscode` (test/unit/vscodeStub.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Inventory } from '../../src/core/gpu/inventory.ts';
import { diagnosticCalls, events, FakeDocument, installVscodeStub, Uri, workspace } from './vscodeStub.ts';

const repo = resolve(import.meta.dirname, '..', '..');
installVscodeStub(JSON.parse(readFileSync(resolve(repo, 'package.json'), 'utf8')));
const { GpuTreeProvider } = await import('../../src/features/gpus/gpuTreeProvider.ts');
const { safeLog } = await import('../../src/features/log/safeLog.ts');
const { LintDiagnostics } = await import('../../src/features/lint/diagnostics.ts');

const PAINT = '\u001b[2J\u001b]8;;https://evil.example/\u0007x\u009b31m\u202e\r\n';
/** ESC, C0 other than \n and \t, C1 and bidi overrides: what must never reach a label. */
// oxlint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('untrusted names in the editor', () => {
  test('GPU tree: host, GPU, process and pod names and failure reasons are shown escaped', () => {
    const gpu = {
      vendor: 'nvidia' as const,
      name: `H100${PAINT}`,
      index: 0,
      uuid: 'GPU-1',
      migInstances: [{ profile: `1g.10gb${PAINT}`, id: 1, uuid: undefined, memoryUsedMiB: 1, memoryTotalMiB: 2 }],
      processes: [{ pid: 42, name: `python${PAINT}`, usedMemoryMiB: 10 }],
      workloads: [{ namespace: 'ns', pod: `pod${PAINT}`, container: undefined }],
    };
    const inventory = {
      takenAt: '',
      hosts: [
        { id: 'a', label: `node${PAINT}`, source: 'prometheus', status: { kind: 'ok' }, gpus: [gpu] },
        { id: 'b', label: 'down', source: 'ssh', status: { kind: 'unreachable', reason: `ssh: ${PAINT}` }, gpus: [] },
      ],
    } as unknown as Inventory;
    const tree = new GpuTreeProvider();
    tree.update(inventory);
    const items = [];
    const queue = tree.getChildren();
    while (queue.length > 0) {
      const node = queue.shift()!;
      items.push(tree.getTreeItem(node));
      queue.push(...tree.getChildren(node));
    }
    assert.ok(items.length >= 6, `${items.length} items`);
    for (const item of items) {
      for (const text of [item.label, item.description, item.tooltip]) {
        if (typeof text !== 'string') continue;
        assert.doesNotMatch(text, CONTROLS, JSON.stringify(text));
      }
      assert.doesNotMatch(typeof item.label === 'string' ? item.label : '', /\n/, 'a label stays on one line');
    }
    assert.ok(
      items.some((i) => typeof i.label === 'string' && i.label.includes('H100\\x1b[2J')),
      'the escape is visible as text',
    );
  });

  test('log lines quoting tool output are written escaped', () => {
    const lines: string[] = [];
    const channel = {
      info: (m: string) => lines.push(m),
      warn: (m: string) => lines.push(m),
      error: (m: string) => lines.push(m),
      debug: (m: string) => lines.push(m),
      trace: (m: string) => lines.push(m),
      appendLine: (m: string) => lines.push(m),
      append: (m: string) => lines.push(m),
      name: 'GPU Workbench',
    };
    const log = safeLog(channel as never);
    log.info(`host: ${PAINT}`);
    log.warn(`ssh said ${PAINT}`);
    log.error(new Error(`failed ${PAINT}`));
    log.appendLine(PAINT);
    assert.equal(lines.length, 4);
    for (const line of lines) assert.doesNotMatch(line, CONTROLS, JSON.stringify(line));
    assert.equal(log.name, 'GPU Workbench');
  });
});

describe('hostile files opened in the editor (LintDiagnostics on the stand-in vscode)', () => {
  const log = { info() {}, warn() {}, error() {}, debug() {}, trace() {} };
  const diagnostics = new LintDiagnostics(Uri.file('/ext') as never, log as never);
  after(() => diagnostics.dispose());
  const callsFor = (doc: FakeDocument) => diagnosticCalls.filter((c) => c.uri === doc.uri.toString());
  async function opened(doc: FakeDocument): Promise<{ messages: string[]; ms: number }> {
    const started = Date.now();
    workspace.textDocuments.push(doc);
    events.open.fire(doc);
    for (let i = 0; i < 400 && callsFor(doc).length === 0; i++) await sleep(25);
    assert.ok(callsFor(doc).length > 0, `${doc.uri.path} got no diagnostics`);
    return { messages: callsFor(doc).at(-1)!.messages, ms: Date.now() - started };
  }

  test('a YAML soup of 400,000 nodes gets an information diagnostic, at once (4 s and 0.6 GB in the parser before)', async () => {
    const { messages, ms } = await opened(new FakeDocument(Uri.file('/work/h/soup.yaml'), '- a\n'.repeat(400_000)));
    assert.match(messages.join('\n'), /Not read: this file has more than 150000 lines and items/);
    assert.ok(ms < 3000, `${ms} ms`);
  });

  test("a suppression comment with 8 KB of spaces costs nothing: the Pod's own finding comes", async () => {
    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: spaced
spec:
  containers:
    - name: c
      image: vllm/vllm-openai:v0.10.0
      args: ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--tensor-parallel-size", "3"]
      resources:
        limits:
          nvidia.com/gpu: 2
# gpu-workbench-disable${' '.repeat(8192)}x#
`;
    const { messages, ms } = await opened(new FakeDocument(Uri.file('/work/h/spaces.yaml'), pod));
    // TP 3 does not divide Llama-3.1-8B's 32 attention heads.
    assert.match(messages.join('\n'), /32 attention heads/);
    assert.ok(ms < 3000, `${ms} ms`);
  });
});
