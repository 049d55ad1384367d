/**
 * The linter's editor side on a stand-in `vscode` (test/unit/vscodeStub.ts): the "Set the default
 * GPU…" quick fix and the pick behind it, the re-lint that follows the setting's change, the
 * hover's first line, and rule pages shown in the Markdown preview. The e2e suite (test/e2e/lint.test.ts)
 * runs the same classes in a real VS Code.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Inventory } from '../../src/core/gpu/inventory.ts';
import {
  CodeActionKind,
  Diagnostic,
  diagnosticCalls,
  events,
  FakeDocument,
  installVscodeStub,
  quickPickAnswers,
  quickPicksShown,
  Range,
  Position,
  settingValues,
  settingWrites,
  activeEditorChanges,
  closedTabs,
  executedCommands,
  openTabs,
  TabInputText,
  Uri,
  workspace,
} from './vscodeStub.ts';

const repo = resolve(import.meta.dirname, '..', '..');
installVscodeStub(JSON.parse(readFileSync(resolve(repo, 'package.json'), 'utf8')));
const { LintDiagnostics } = await import('../../src/features/lint/diagnostics.ts');
const { LintCodeActions } = await import('../../src/features/lint/codeActions.ts');
const { setDefaultGpu } = await import('../../src/features/lint/defaultGpu.ts');
const { previewRuleDocs } = await import('../../src/features/lint/ruleDocs.ts');
const { LintHover } = await import('../../src/features/lint/hover.ts');

const log = { info() {}, warn() {}, error() {}, debug() {}, trace() {} };
const compose = readFileSync(resolve(repo, 'examples', 'compose', 'docker-compose.yml'), 'utf8');

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 200 && !check(); i++) await sleep(25);
  assert.ok(check(), what);
}

/** A machine with two H100s (as nvidia-smi names them), and an SSH host with an L4. */
function inventory(): Inventory {
  const gpu = (name: string, index: number) =>
    ({
      vendor: 'nvidia',
      name,
      index,
      memoryTotalMiB: undefined,
      migInstances: [],
      processes: [],
      workloads: [],
    }) as never;
  return {
    takenAt: '2026-11-23T00:00:00Z',
    hosts: [
      {
        id: 'local',
        label: 'this machine',
        source: 'local',
        status: { kind: 'ok' },
        gpus: [gpu('NVIDIA H100 80GB HBM3', 0), gpu('NVIDIA H100 80GB HBM3', 1)],
      },
      { id: 'ssh:lab', label: 'lab', source: 'ssh', status: { kind: 'ok' }, gpus: [gpu('NVIDIA L4', 0)] },
    ],
  };
}

describe('"Set the default GPU…" (on a stand-in vscode)', () => {
  const diagnostics = new LintDiagnostics(Uri.file('/ext') as never, log as never);
  const actions = new LintCodeActions(diagnostics);
  after(() => {
    diagnostics.dispose();
    settingValues.delete('defaultGpu');
  });
  const callsFor = (doc: FakeDocument) => diagnosticCalls.filter((c) => c.uri === doc.uri.toString());

  /** The code actions VS Code would ask for on the finding's diagnostic. */
  function actionsOn(doc: FakeDocument, message: RegExp) {
    const findings = diagnostics.findingsFor(doc as never);
    const finding = findings.find((f) => message.test(f.message));
    assert.ok(finding, `a finding matching ${message}`);
    const range = new Range(doc.positionAt(finding.span.start), doc.positionAt(finding.span.end));
    const diagnostic = new Diagnostic(range, finding.message, 2);
    diagnostic.source = 'GPU Workbench';
    diagnostic.code = { value: finding.ruleId, target: Uri.file(`/ext/docs/rules/${finding.ruleId}.md`) };
    const doc2 = Object.assign(doc, { offsetAt: (p: Position) => offsetOf(doc.text, p) });
    return actions.provideCodeActions(
      doc2 as never,
      range as never,
      {
        diagnostics: [diagnostic],
        only: undefined,
        triggerKind: 1,
      } as never,
    ) as unknown as {
      title: string;
      command?: { command: string };
      isPreferred?: boolean;
      kind?: CodeActionKind;
    }[];
  }

  test('a compose file without a default GPU: the finding offers the pick, preferred, and the pick lists my GPUs first', async () => {
    const doc = new FakeDocument(Uri.file('/work/e/docker-compose.yml'), compose);
    workspace.textDocuments.push(doc);
    events.open.fire(doc);
    await until(() => callsFor(doc).length > 0, 'the compose file was linted');
    assert.match(callsFor(doc).at(-1)!.messages.join('\n'), /a compose file cannot name the GPU model/);

    const offered = actionsOn(doc, /cannot name the GPU model/);
    const setGpu = offered.find((a) => a.title === 'Set the default GPU…');
    assert.ok(setGpu, `offered: ${offered.map((a) => a.title).join(', ')}`);
    assert.equal(setGpu.command?.command, 'gpuWorkbench.setDefaultGpu');
    assert.equal(setGpu.kind?.value, 'quickfix');
    // No edit can fix this finding: the pick is the fix to take.
    assert.equal(setGpu.isPreferred, true);
    // The rule page is still offered, in the Markdown preview.
    assert.ok(offered.some((a) => a.title === 'Show documentation for sizing-not-checked'));

    // The user picks the H100 their inventory shows.
    quickPickAnswers.push((items) => items.find((i) => i.label === 'h100-sxm'));
    const chosen = await setDefaultGpu(inventory);
    assert.equal(chosen?.id, 'h100-sxm');
    const shown = quickPicksShown.at(-1)!.items;
    // Inventory first, under its own heading, with where each GPU is; then the catalog without them.
    assert.deepEqual(
      shown.slice(0, 4).map((i) => [i.label, i.kind === -1 ? 'separator' : i.detail]),
      [
        ['In your inventory', 'separator'],
        ['h100-sxm', '$(check) in your inventory: 2 on this machine'],
        ['l4', '$(check) in your inventory: 1 on lab'],
        ['GPU catalog', 'separator'],
      ],
    );
    assert.equal(shown.filter((i) => i.label === 'h100-sxm').length, 1, 'the H100 is listed once');
    assert.ok(
      shown.some((i) => i.label === 'mi300x'),
      'the rest of the catalog follows',
    );
    // Written to the user's settings (no workspace value to override it), where the linter reads it.
    assert.deepEqual(settingWrites.at(-1), { key: 'defaultGpu', value: 'h100-sxm', target: 1 });

    // The setting's change re-lints the open file: the memory check now runs on the H100.
    await until(
      () =>
        !callsFor(doc)
          .at(-1)!
          .messages.some((m) => /not checked/.test(m)),
      'the file was linted again without sizing-not-checked',
    );
    assert.match(callsFor(doc).at(-1)!.messages.join('\n'), /reserves all of the host's GPUs/);
  });

  test('the pick dismissed: nothing is written', async () => {
    const writes = settingWrites.length;
    quickPickAnswers.push(() => undefined);
    assert.equal(await setDefaultGpu(() => undefined), undefined);
    assert.equal(settingWrites.length, writes);
    // Without an inventory the pick is the catalog alone.
    assert.equal(quickPicksShown.at(-1)!.items[0]!.label, 'GPU catalog');
  });

  test('an unknown model is not something the default GPU can fix: no pick offered', async () => {
    settingValues.delete('defaultGpu');
    const doc = new FakeDocument(Uri.file('/work/f/serve.sh'), 'vllm serve acme/secret-model\n');
    workspace.textDocuments.push(doc);
    events.open.fire(doc);
    await until(() => callsFor(doc).length > 0, 'the script was linted');
    // Both reasons hold: the model is unknown (reported first) and there is no GPU.
    const offered = actionsOn(doc, /not in the built-in catalog/);
    assert.ok(!offered.some((a) => a.title === 'Set the default GPU…'));
  });
});

describe('LintHover (on a stand-in vscode): the verdict first, then what was understood, then the numbers', () => {
  async function hoverOn(file: string, token: string): Promise<string[]> {
    const text = readFileSync(resolve(repo, 'examples', file), 'utf8');
    const doc = Object.assign(new FakeDocument(Uri.file(`/work/h/${file}`), text), {
      offsetAt: () => text.indexOf(token) + 3,
    });
    const hover = (await new LintHover().provideHover(doc as never, {} as never)) as unknown as {
      contents: { value: string };
    };
    return hover.contents.value.split('\n').filter(Boolean);
  }

  test('over-provisioned: "Wastes 2 GPUs" with its cost, then the Deployment as understood, then the memory', async () => {
    const lines = await hoverOn('kubernetes/vllm-llama-8b-tp2.yaml', 'meta-llama/Llama-3.1-8B-Instruct');
    // 2 replicas x (TP 2 - TP 1) = 2 idle H100s; 2 x $4.00/h list price = $8.00/h.
    assert.equal(
      lines[0],
      'Wastes 2 GPUs ($8.00/h at NVIDIA H100 80GB SXM (HBM3) list price): it fits on 1 GPU instead of 2 per replica.',
    );
    assert.match(
      lines[1]!,
      /^vLLM · Llama-3\.1-8B-Instruct · TP 2 · 2 x NVIDIA H100 .*\(from nodeSelector\) · 2 replicas$/,
    );
    // 8.03e9 parameters x 2 bytes / TP 2 / 2^30 = 7.48 GiB of weights on each GPU.
    assert.ok(lines.includes('| weights | 7.48 GiB |'));
    // One name for the memory outside PyTorch, with what it is.
    assert.ok(lines.some((l) => /^\| non-torch memory \| 0\.\d\d GiB \|$/.test(l)));
    assert.ok(lines.some((l) => l.startsWith('Non-torch memory: the CUDA context')));
  });

  test('two reasons add up: TGI on 8 reserved A100s, 4 shards, fits on 1 = 7 idle GPUs', async () => {
    const lines = await hoverOn('kubernetes/tgi-llama-8b.yaml', 'meta-llama/Llama-3.1-8B-Instruct');
    // 8 reserved - 1 needed = 7 GPUs (4 beyond the shards, 3 of the shards); 7 x $3.50/h = $24.50/h.
    assert.match(
      lines[0]!,
      /^Wastes 7 GPUs \(\$24\.50\/h at NVIDIA A100 80GB SXM list price\): reserves 8 GPUs but TGI runs --num-shard 4 = 4 GPUs; it fits on 1 GPU instead of 4\.$/,
    );
  });

  test('fits: the KV cache and the full-length requests it holds, before the table', async () => {
    const lines = await hoverOn('kubernetes/vllm-qwen3-32b.yaml', 'Qwen/Qwen3-32B');
    // Qwen3-32B: 64 layers x 2 (K, V) x 8 KV heads x 128 x 2 B = 256 KiB per token; 18,560 tokens
    // x 256 KiB = 4.53125 GiB; 18,560 / 16,000 = 1.16 requests of max_model_len.
    assert.equal(
      lines[0],
      'Fits: 4.53 GiB of KV cache per GPU = 18,560 tokens = 1.2 full-length requests of 16,000 tokens at once.',
    );
    assert.ok(lines.includes('| KV cache | 4.53 GiB |'));
  });

  test('does not fit: says so first, with the reason', async () => {
    const lines = await hoverOn('kserve/llama-70b-inferenceservice.yaml', 'meta-llama/Llama-3.3-70B-Instruct');
    // 70.6e9 parameters x 2 B = 131.4 GiB of weights on one 80 GB H100.
    assert.match(lines[0]!, /^Does not fit NVIDIA H100 80GB SXM \(HBM3\): /);
  });

  test('not sized: says why, in the words of the file format', async () => {
    settingValues.delete('defaultGpu');
    const lines = await hoverOn('compose/docker-compose.yml', 'Qwen/Qwen3-8B');
    assert.match(lines[0]!, /^Not sized: a compose file cannot name the GPU model/);
    assert.ok(!lines.some((l) => l.includes('| weights |')), 'no numbers without a GPU');
  });
});

describe('rule pages (on a stand-in vscode)', () => {
  test('a rule page opened from a link is shown in the Markdown preview and its text editor closed', async () => {
    const docs = Uri.joinPath(Uri.file('/ext'), 'docs', 'rules');
    const watching = previewRuleDocs(docs as never);
    try {
      // The diagnostic's code link opened the page as a text file (what VS Code does with a file target).
      const page = Uri.joinPath(docs, 'sizing-not-checked.md');
      const tab = { input: new TabInputText(page) };
      const other = { input: new TabInputText(Uri.file('/work/e/docker-compose.yml')) };
      openTabs.push(other, tab);
      activeEditorChanges.fire({ document: { uri: page } });
      await until(() => closedTabs.includes(tab), 'the editable tab was closed');
      assert.deepEqual(executedCommands.at(-1), { command: 'markdown.showPreview', args: [page] });
      assert.ok(openTabs.includes(other), "the user's own file stays open");

      // Any other Markdown file, and the user's own docs/rules folder, open as usual.
      const commandsBefore = executedCommands.length;
      for (const uri of [Uri.file('/work/README.md'), Uri.file('/work/docs/rules/sizing-not-checked.md')])
        activeEditorChanges.fire({ document: { uri } });
      await sleep(50);
      assert.equal(executedCommands.length, commandsBefore);
    } finally {
      watching.dispose();
    }
  });
});

function offsetOf(text: string, p: Position): number {
  const lines = text.split('\n');
  return lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
}
