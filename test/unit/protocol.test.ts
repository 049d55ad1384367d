import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isExtensionToWebview, isWebviewToExtension } from '../../src/shared/protocol.ts';

describe('webview protocol guards', () => {
  test('accept the messages each side sends', () => {
    assert.ok(isWebviewToExtension({ type: 'ready' }));
    assert.ok(isExtensionToWebview({ type: 'showTab', tab: 'estimate' }));
    assert.ok(isWebviewToExtension({ type: 'loadPlanExample', example: 'provisioning' }));
    assert.ok(isWebviewToExtension({ type: 'ready', problemText: '{"gpus": []}' }));
    assert.ok(isExtensionToWebview({ type: 'planProblem', text: '{}' }));
    assert.ok(isExtensionToWebview({ type: 'planProblem', text: '{}', restored: true }));
    const provisioning = {
      rows: [{ model: 'chat', gpuType: 'l40s', tp: 1, replicas: 1, requestsPerSecond: 8.2, costPerHour: 1.86 }],
      homogeneous: { gpuType: 'a10g', costPerHour: 2.02 },
      front: [{ costPerHour: 1.86, headroom: 1.4 }],
    };
    assert.ok(
      isExtensionToWebview({
        type: 'planState',
        plan: { state: 'done', plan: { status: 'optimal', message: 'ok', gpus: [], provisioning } },
      }),
    );
    assert.ok(isExtensionToWebview({ type: 'solverState', solver: { state: 'loading' } }));
    assert.ok(
      isExtensionToWebview({ type: 'solverState', solver: { state: 'ready', glpkVersion: '5.0', loadMs: 6.1 } }),
    );
  });

  test('drop malformed, unknown and hostile messages', () => {
    const bad: unknown[] = [
      null,
      undefined,
      'ready',
      42,
      [],
      [{ type: 'ready' }],
      {},
      { type: 'READY' },
      { type: 'ready', extra: '<img src=x onerror=alert(1)>' },
      { type: 'openExternal', url: 'https://example.invalid' },
      { type: 'solverState' },
      { type: 'solverState', solver: { state: 'ready', glpkVersion: 5 } },
      { type: 'solverState', solver: { state: 'done' } },
      // The self-test card is gone from the page: its messages are unknown now.
      { type: 'runSolverSelfTest' },
      { type: 'showTab', tab: 'services' },
      { type: 'showTab', tab: 'plan', extra: 1 },
      { type: 'loadPlanExample', example: '../../etc/passwd' },
      { type: 'ready', problemText: 42 },
      { type: 'planProblem', text: '{}', restored: 'yes' },
      { type: 'planProblem', text: '{}', restored: false },
      { type: 'ready', problemText: 'x'.repeat(2 * 1024 * 1024) },
      {
        type: 'planState',
        plan: {
          state: 'done',
          plan: {
            status: 'optimal',
            message: 'ok',
            gpus: [],
            provisioning: {
              rows: [{ model: 'chat', gpuType: 'l40s', tp: '1', replicas: 1, requestsPerSecond: 1, costPerHour: 1 }],
              front: [],
            },
          },
        },
      },
      {
        type: 'planState',
        plan: {
          state: 'done',
          plan: {
            status: 'optimal',
            message: 'ok',
            gpus: [],
            provisioning: { rows: [], front: [{ costPerHour: Infinity, headroom: 1 }] },
          },
        },
      },
    ];
    for (const message of bad) {
      assert.equal(isWebviewToExtension(message), false, JSON.stringify(message));
      assert.equal(isExtensionToWebview(message), false, JSON.stringify(message));
    }
  });
});
