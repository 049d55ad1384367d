import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GPU_CATALOG, withPrices } from '../../src/core/catalog/gpus.ts';
import { parseWorkload } from '../../src/core/sizing/workload.ts';
import { isExtensionToWebview } from '../../src/shared/protocol.ts';

describe('target load text', () => {
  test('reads every key and fills the defaults', () => {
    assert.deepEqual(parseWorkload('rps=5 input=2000 output=300 context=16384 ttft-ms=500 tpot-ms=40'), {
      ok: true,
      value: {
        requestsPerSecond: 5,
        inputTokens: 2000,
        outputTokens: 300,
        contextLength: 16384,
        ttftMsMax: 500,
        tpotMsMax: 40,
      },
    });
    assert.deepEqual(parseWorkload('concurrency=64'), {
      ok: true,
      value: { concurrency: 64, contextLength: 8192, inputTokens: 1000, outputTokens: 200 },
    });
  });

  test('says what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['input=1000', /give rps= or concurrency=/],
      ['rps=fast', /rps must be a positive number/],
      ['rps=1 context=100.5', /context must be a positive whole number/],
      ['rps=1 gpus=8', /"gpus=8" is not one of rps=, concurrency=/],
      ['rps=1 input=8000 output=500 context=8192', /input \+ output \(8500\) is longer than context \(8192\)/],
    ];
    for (const [text, message] of cases) {
      const parsed = parseWorkload(text);
      assert.equal(parsed.ok, false, text);
      assert.match(parsed.ok ? '' : parsed.message, message);
    }
  });
});

describe('prices', () => {
  test("the user's price replaces the list price; nonsense is ignored", () => {
    const priced = withPrices(GPU_CATALOG, { 'h100-sxm': 2.49, l4: -1, a10g: 'cheap' });
    assert.equal(priced.find((g) => g.id === 'h100-sxm')?.pricePerHour, 2.49);
    assert.equal(priced.find((g) => g.id === 'l4')?.pricePerHour, GPU_CATALOG.find((g) => g.id === 'l4')?.pricePerHour);
    assert.equal(
      priced.find((g) => g.id === 'a10g')?.pricePerHour,
      GPU_CATALOG.find((g) => g.id === 'a10g')?.pricePerHour,
    );
  });
});

describe('suggestion messages to the webview', () => {
  test('a well-formed suggestion passes the guard, a tampered one does not', () => {
    const good = {
      type: 'suggestion',
      suggestion: {
        ok: true,
        title: 't',
        rows: [
          { gpu: 'H100', layout: 'TP=1 x 1', gpus: 1, costPerHour: 4, batch: 64, tpotMs: 20, ttftMs: 90, best: true },
        ],
        commands: [{ label: 'vLLM', text: 'vllm serve x' }],
        reasons: ['r'],
        assumptions: ['a'],
      },
    };
    assert.ok(isExtensionToWebview(good));
    assert.equal(
      isExtensionToWebview({ ...good, suggestion: { ...good.suggestion, rows: [{ gpu: '<img>', layout: 1 }] } }),
      false,
    );
    assert.ok(
      isExtensionToWebview({ type: 'suggestion', suggestion: { ok: false, title: 't', reasons: ['none fits'] } }),
    );
  });
});
