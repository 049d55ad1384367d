/**
 * What the workbench draws, checked against hand arithmetic: the memory picture's overflow (never a
 * negative KV cache), the tensor-parallel groups of a plan, routing's "overloaded", the axes' ticks
 * and the problem's JSON as the form writes it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findGpu } from '../../src/core/catalog/gpus.ts';
import { findModel } from '../../src/core/catalog/models.ts';
import { estimateServingMemory, vllmDefaults } from '../../src/core/sizing/servingMemory.ts';
import { estimateView, planView } from '../../src/features/workbench/views.ts';
import { rangeTicks, ticks } from '../../webview/scale.ts';
import { overflowGiB } from '../../webview/memoryOverflow.ts';
import { formatProblem } from '../../webview/problemText.ts';
import { edited, freshDraftClock, keepsLocalDraft, saidReady } from '../../webview/problemDraft.ts';
import { overloadOf } from '../../webview/routingVerdict.ts';

describe('the memory picture', () => {
  test('a 70B model on one H100 overflows by what it needs past the usable memory, with no negative KV cache', () => {
    const a = findModel('meta-llama/Llama-3.1-70B-Instruct')!.architecture;
    const gpu = findGpu('h100-sxm')!;
    const estimate = estimateServingMemory(a, gpu, vllmDefaults(a, gpu));
    const view = estimateView(a, estimate, []);
    assert.equal(view.fits, false);
    // The picture's overflow is the one the verdict states (parts rounded to 0.01 GiB each).
    assert.ok(Math.abs(overflowGiB(view) + estimate.kvCacheBytes / 2 ** 30) <= 0.03);
    assert.doesNotMatch(view.problems.join(' '), /-\d/);
    for (const part of view.parts) assert.ok(part.gib >= 0, `${part.label} ${part.gib}`);
    assert.equal(view.parts.find((p) => p.label === 'KV cache')?.gib, 0);
    // By hand: 70.6e9 parameters x 2 bytes = 131.5 GiB of weights; usable 0.9 x 79.2 = 71.3 GiB:
    // 60.2 GiB over before the activation peak and non-torch memory (a few GiB more).
    const over = overflowGiB(view);
    assert.ok(over > 60 && over < 70, String(over));
  });

  test('a view kept from 0.1.0 with a negative KV cache still draws as an overflow', () => {
    // 131.5 + 4 + 0.5 - 64.7 = usable 71.3: the old view's parts summed to the usable memory.
    const old = {
      title: 't',
      totalGiB: 79.2,
      usableGiB: 71.3,
      parts: [
        { label: 'Weights', gib: 131.5 },
        { label: 'Activation peak', gib: 4 },
        { label: 'Non-torch memory', gib: 0.5 },
        { label: 'KV cache', gib: -64.7 },
      ],
      kvCacheTokens: 0,
      maxConcurrency: 0,
      fits: false,
      problems: [],
      advice: [],
      explanation: [],
    };
    // 136 - 71.3 = 64.7 GiB over.
    assert.equal(overflowGiB(old), 64.7);
  });

  test('a model that fits has no overflow', () => {
    const a = findModel('meta-llama/Llama-3.1-8B-Instruct')!.architecture;
    const gpu = findGpu('h100-sxm')!;
    assert.equal(overflowGiB(estimateView(a, estimateServingMemory(a, gpu, vllmDefaults(a, gpu)), [])), 0);
  });
});

describe('the plan bars', () => {
  test('the shards of a TP=2 replica carry their replica and TP, so the page can bracket the group', () => {
    const view = planView(
      {
        objective: 'cost',
        gpus: [{ type: 'x', count: 2, memoryGiB: 80, costPerHour: 1 }],
        models: [{ name: 'big', memoryGiB: 60, replicas: 1, tp: 2 }],
      },
      {
        status: 'optimal',
        message: 'ok',
        placement: {
          gpus: [0, 1].map((i) => ({
            gpuType: 'x',
            gpuIndex: i,
            replicas: [{ model: 'big', replica: 0, memoryGiB: 60 }],
          })),
        },
      } as Parameters<typeof planView>[1],
    );
    assert.deepEqual(
      view.gpus.map((g) => g.shards),
      [[{ model: 'big', memoryGiB: 60, replica: 0, tp: 2 }], [{ model: 'big', memoryGiB: 60, replica: 0, tp: 2 }]],
    );
  });
});

describe('routing verdicts', () => {
  const replicas = [
    { name: 'h100-a', serviceRate: 4 },
    { name: 'h100-b', serviceRate: 4 },
    { name: 'l40s', serviceRate: 2 },
  ];
  test('random and round robin overload the slow replica at 9 req/s (3 each > 2); weighted keeps up (9 < 10)', () => {
    assert.equal(overloadOf('random', replicas, 9), 'overloaded: l40s gets 3.00 req/s, serves 2 req/s');
    assert.equal(overloadOf('round-robin', replicas, 9), 'overloaded: l40s gets 3.00 req/s, serves 2 req/s');
    assert.equal(overloadOf('weighted', replicas, 9), undefined);
    assert.equal(overloadOf('least-outstanding', replicas, 9), undefined);
  });
  test('arrivals above the sum of the rates overload every policy', () => {
    assert.equal(
      overloadOf('least-outstanding', replicas, 12),
      'overloaded: 12 req/s arrive, all replicas serve 10 req/s',
    );
  });
});

describe('chart scales', () => {
  test('ticks in steps of 1, 2 or 5 x 10^n, reaching past the largest value', () => {
    assert.deepEqual(ticks(80), [0, 20, 40, 60, 80]);
    assert.deepEqual(ticks(79.17), [0, 20, 40, 60, 80]);
    // 18 h in about 8 steps: 2.25 rounds up to a step of 5.
    assert.deepEqual(ticks(18, 8), [0, 5, 10, 15, 20]);
    assert.deepEqual(rangeTicks(1.5, 9.2), [2, 4, 6, 8]);
  });
});

describe('the problem as the form writes it', () => {
  test('one line per GPU type and per model, and it parses back to the same problem', () => {
    const problem = {
      objective: 'cost',
      gpus: [{ type: 'l4', count: 2 }],
      models: [
        { name: 'a', memoryGiB: 10 },
        { name: 'b', model: 'Qwen/Qwen3-0.6B', demand: { requestsPerSecond: 2 } },
      ],
    };
    const text = formatProblem(problem);
    assert.equal(
      text,
      '{\n  "objective": "cost",\n  "gpus": [\n    {"type":"l4","count":2}\n  ],\n  "models": [\n    {"name":"a","memoryGiB":10},\n    {"name":"b","model":"Qwen/Qwen3-0.6B","demand":{"requestsPerSecond":2}}\n  ]\n}\n',
    );
    assert.deepEqual(JSON.parse(text), problem);
  });
});

describe('the problem a reopened workbench shows', () => {
  // The page's side of the exchange, as webview/main.ts runs it: it says "ready", the user may
  // type, then the extension's messages arrive in order.
  function page(kept: string) {
    let clock = saidReady(freshDraftClock());
    let shown = kept;
    return {
      type(text: string) {
        clock = edited(clock);
        shown = text;
      },
      receive(message: { text: string; restored?: true }) {
        if (!keepsLocalDraft(clock, message)) shown = message.text;
      },
      get shown() {
        return shown;
      },
    };
  }

  test('an edit typed before the late answer to "ready" is kept over the older kept problem', () => {
    const p = page('{"draft": "from before the reload"}');
    p.type('{"typed": "in the first half second"}');
    p.receive({ text: '{"kept": "by the extension"}', restored: true });
    assert.equal(p.shown, '{"typed": "in the first half second"}');
  });

  test("with no edit, the extension's kept problem replaces the page's older copy", () => {
    const p = page('{"draft": "kept by an older page"}');
    p.receive({ text: '{"kept": "by the extension"}', restored: true });
    assert.equal(p.shown, '{"kept": "by the extension"}');
  });

  test('a problem the user asked for after editing (an example, the pool) replaces the edit', () => {
    const p = page('');
    p.receive({ text: '{"kept": "by the extension"}', restored: true });
    p.type('{"typed": 1}');
    p.receive({ text: '{"example": "packing"}' });
    assert.equal(p.shown, '{"example": "packing"}');
  });
});
