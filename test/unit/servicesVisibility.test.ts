/**
 * The Model services view polls only while someone can see it (issue 16: "the view refreshes only
 * while visible"), on the stand-in vscode with Node's mock timers: the view alone drives the
 * inventory poll at gpuWorkbench.refreshIntervalSeconds (15 s by default), hidden it asks nothing
 * however long it stays hidden, and shown again it polls again.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, mock, test } from 'node:test';
import { installVscodeStub, treeViews, type FakeTreeView } from './vscodeStub.ts';

const repo = resolve(import.meta.dirname, '..', '..');
installVscodeStub(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')));
const { registerServices } = await import('../../src/features/services/register.ts');
const { InventoryController } = await import('../../src/features/gpus/inventoryController.ts');
// Loaded before the clock is mocked: the view imports it on its first refresh.
await import('../../src/node/localServices.ts');

const log = { info() {}, warn() {}, error() {}, debug() {}, trace() {} };
const secrets = { get: async () => undefined };
/**
 * Lets what a timer started settle: the view's refresh imports modules (file I/O through the
 * loader), so this waits 30 ms of real time (Date is not mocked, setImmediate neither).
 */
const settle = async () => {
  const end = Date.now() + 30;
  while (Date.now() < end) await new Promise((r) => setImmediate(r));
};

describe('Model services view: polls only while visible (stand-in vscode, mock timers)', () => {
  let controller: InstanceType<typeof InventoryController>;
  let view: FakeTreeView;
  let registered: { dispose(): void };
  let polls = 0;

  before(() => {
    mock.timers.enable({ apis: ['setTimeout'] });
    controller = new InventoryController('/ext', secrets as never, log as never);
    // The poll itself (nvidia-smi, SSH, Prometheus) is not what is tested: count it, answer "no GPU".
    const inner = controller as unknown as {
      poll: () => Promise<unknown>;
      latest: unknown;
      changed: { fire(x: unknown): void };
    };
    inner.poll = async () => {
      polls++;
      inner.latest = { hosts: [] };
      inner.changed.fire(inner.latest);
      return inner.latest;
    };
    const memento = { get: () => undefined };
    const gpuTree = { setServices: () => undefined };
    registered = registerServices(secrets as never, memento as never, log as never, controller, gpuTree as never);
    view = treeViews.at(-1)!;
  });
  after(() => {
    registered.dispose();
    controller.dispose();
    mock.timers.reset();
  });

  const show = async (visible: boolean) => {
    view.visible = visible;
    view.visibility.fire({ visible });
    await settle();
  };
  /** Advances the mocked clock in steps (a 15 s timer fires within its step; a poll chain settles after each). */
  const wait = async (seconds: number, stepS = 5) => {
    for (let s = 0; s < seconds; s += stepS) {
      mock.timers.tick(stepS * 1000);
      await settle();
    }
  };

  test('hidden from the start: ten minutes pass without a poll or a refresh', async () => {
    await wait(600, 60);
    assert.equal(polls, 0);
    assert.equal(view.messages.length, 0);
  });

  test('shown: it polls at once, then every 15 s (3 more in 45 s), refreshing the services each time', async () => {
    await show(true);
    assert.equal(polls, 1);
    await wait(45);
    assert.equal(polls, 4);
    assert.ok(view.messages.length >= 4, String(view.messages.length));
    assert.match(view.message ?? '', /No vLLM, SGLang or TGI server/);
  });

  test('hidden again: no poll and no refresh for ten minutes', async () => {
    await show(false);
    const [p, m] = [polls, view.messages.length];
    await wait(600, 60);
    assert.equal(polls, p);
    assert.equal(view.messages.length, m);
  });

  test('shown again: polling resumes at the interval', async () => {
    const p = polls;
    await show(true);
    await wait(30);
    assert.equal(polls, p + 2);
  });
});
