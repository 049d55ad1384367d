/**
 * Which minutes of a window calibrate the performance model (core/rightsize/calibrate.ts), on
 * hand-made per-pod series at one-minute steps: the figures below are counted by hand.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { calibrationSample, type CalibrationSeries } from '../../src/core/rightsize/calibrate.ts';

/** `minutes` one-minute steps from t = 0 with the given running requests and tokens/s per pod. */
function steps(from: number, minutes: number, running: number, tokens: number): [number, number][][] {
  const r: [number, number][] = [];
  const t: [number, number][] = [];
  for (let i = 0; i < minutes; i++) {
    r.push([(from + i) * 60, running]);
    t.push([(from + i) * 60, tokens]);
  }
  return [r, t];
}

function series(...parts: [number, number][][][]): CalibrationSeries {
  return {
    runningPerPod: parts.flatMap((p) => p[0]!),
    tokensPerSecondPerPod: parts.flatMap((p) => p[1]!),
    stepS: 60,
    inputTokens: 700,
    outputTokens: 300,
  };
}

describe('calibrationSample', () => {
  test('30 minutes at 12 running are enough; the median tokens/s of those minutes is the figure', () => {
    // 10 minutes at 900, 20 at 1,000: the median of the 30 is 1,000.
    const s = calibrationSample(series(steps(0, 10, 12, 900), steps(10, 20, 12, 1000)));
    assert.deepEqual(s, {
      ok: true,
      concurrency: 12,
      outputTokensPerSecond: 1000,
      minutes: 30,
      inputTokens: 700,
      outputTokens: 300,
      lengthsObserved: true,
    });
  });

  test('29 busy minutes are not enough, however long the idle rest', () => {
    const s = calibrationSample(series(steps(0, 29, 12, 1000), steps(29, 600, 3, 200)));
    assert.equal(s.ok, false);
    assert.match(!s.ok ? s.reason : '', /only 29 minutes .* at least 4 requests running per pod .* \(30 needed\)/);
  });

  test('a load split between 8 and 20 running has no concurrency to fit at', () => {
    // 40 minutes each: the median running is 14, and no minute lies within 1.4 of it.
    const s = calibrationSample(series(steps(0, 40, 8, 700), steps(40, 40, 20, 1400)));
    assert.equal(s.ok, false);
    assert.match(!s.ok ? s.reason : '', /only 0 minutes ran near 14 requests per pod/);
  });

  test('minutes within 10 % of the median count; bursts beyond it do not move the figure', () => {
    // 60 minutes at 20 (1,500 tok/s), 20 at 21 (1,550), 30 at 40 (2,600): of 110 minutes the 55th
    // and 56th are 20, the median; 21 is within 2 of it, 40 is not. Of the 80 near minutes the median
    // tokens/s is 1,500.
    const s = calibrationSample(series(steps(0, 60, 20, 1500), steps(60, 20, 21, 1550), steps(80, 30, 40, 2600)));
    assert.ok(s.ok);
    assert.equal(s.concurrency, 20);
    assert.equal(s.minutes, 80);
    assert.equal(s.outputTokensPerSecond, 1500);
  });

  test("without the engine's length histograms the right-sizer's lengths (1,024 in, 256 out) are assumed and said so", () => {
    const s = calibrationSample({ ...series(steps(0, 30, 8, 500)), inputTokens: undefined, outputTokens: undefined });
    assert.ok(s.ok);
    assert.deepEqual([s.inputTokens, s.outputTokens, s.lengthsObserved], [1024, 256, false]);
  });

  test('steps where tokens/s has no sample at the same time, or none generated, are left out', () => {
    const [running] = steps(0, 40, 10, 0);
    const s = calibrationSample({
      runningPerPod: running!,
      tokensPerSecondPerPod: running!.map(([t], i): [number, number] => [t + 30, 800 + i]), // half a step off
      stepS: 60,
    });
    assert.equal(s.ok, false);
  });
});
