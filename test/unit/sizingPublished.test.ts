/**
 * The estimator against vLLM's own start-up lines, published by others (sources in the fixture):
 * every KV figure within 5 %, weights within 5 %, and the fit verdict right.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { estimateSglangCase, SGLANG_CASES } from '../fixtures/published/sglangStartup.ts';
import {
  estimateCase,
  LOG_CASES,
  MORE_CASES,
  REFUSED_CASES,
  SHARED_CASES,
  WIDER_CASES,
} from '../fixtures/published/vllmStartup.ts';

describe('the 14 shared published vLLM start-up cases', () => {
  test('there are 14, each with a source', () => {
    assert.equal(SHARED_CASES.length, 14);
    for (const c of SHARED_CASES) assert.match(c.source, /^https:\/\//);
  });
  for (const c of SHARED_CASES) {
    test(`${c.name} (vLLM ${c.vllmVersion}): ${c.key} ${c.want} within 5 %, ${c.fits === false ? 'refused' : 'starts'}`, () => {
      const r = estimateCase(c);
      assert.ok(r.errorPercent <= 5, `${r.got.toFixed(2)} vs ${c.want} (${r.errorPercent.toFixed(1)} % off)`);
      if (c.fits !== null) assert.equal(r.fits, c.fits);
    });
  }
});

describe('more published figures from the same logs and the first sizing issue', () => {
  for (const c of [...MORE_CASES, ...LOG_CASES]) {
    test(`${c.name}: ${c.key} ${c.want} within 5 %`, () => {
      const r = estimateCase(c);
      assert.ok(r.errorPercent <= 5, `${r.got.toFixed(2)} vs ${c.want} (${r.errorPercent.toFixed(1)} % off)`);
      if (c.fits !== null) assert.equal(r.fits, c.fits);
    });
  }
  for (const c of REFUSED_CASES) {
    test(`${c.name}: vLLM refused to start, and so does the estimate (within 0.4 GiB of ${c.want})`, () => {
      const r = estimateCase(c);
      assert.equal(r.fits, false);
      assert.ok(Math.abs(r.got - c.want) <= 0.4, `${r.got} vs ${c.want}`);
    });
  }
});

describe('figures the estimator misses by more than 5 %: still within 10 %, the fit verdict right', () => {
  for (const c of WIDER_CASES) {
    test(`${c.name}: ${c.key} ${c.want} within 10 %`, () => {
      const r = estimateCase(c);
      assert.ok(r.errorPercent <= 10, `${r.got.toFixed(2)} vs ${c.want} (${r.errorPercent.toFixed(1)} % off)`);
      if (c.fits !== null) assert.equal(r.fits, c.fits);
    });
  }
});

describe('SGLang start-up logs: "KV Cache is allocated. #tokens"', () => {
  test('QwQ-32B on 4 L4s (mem_fraction_static 0.85): within 1 % of 46,611 tokens', () => {
    const r = estimateSglangCase(SGLANG_CASES[0]!);
    assert.ok(r.errorPercent <= 1, `${r.got} (${r.errorPercent.toFixed(2)} % off)`);
  });
  test('Qwen3-235B-FP8 on 4 H100s (mem_fraction_static 0.93): within 10 % of 367,404 tokens', () => {
    const r = estimateSglangCase(SGLANG_CASES[1]!);
    assert.ok(r.errorPercent <= 10, `${r.got} (${r.errorPercent.toFixed(2)} % off)`);
  });
});
