/** `npm start`'s progress while it installs code-server the first time (scripts/progress.ts), on mock timers. */
import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { elapsed, withProgress } from '../../scripts/progress.ts';

describe('npm start: progress of a first-run install', () => {
  test('each step is named, then the time so far every 15 s until it ends', async () => {
    mock.timers.enable({ apis: ['setInterval', 'Date'] });
    try {
      const lines: string[] = [];
      let finish!: () => void;
      const done = withProgress(
        (step) => {
          step('code-server 4.139.1', 'into ~/.cache/gpu-workbench (about 2 minutes)');
          return new Promise<void>((resolve) => (finish = resolve));
        },
        { print: (line) => lines.push(line) },
      );
      // 2 minutes 5 seconds of a silent build: a line at 0:15, 0:30, ... 2:00.
      for (let i = 0; i < 25; i++) mock.timers.tick(5_000);
      finish();
      await done;
      assert.equal(lines[0], 'Installing code-server 4.139.1 into ~/.cache/gpu-workbench (about 2 minutes)…');
      assert.deepEqual(
        lines.slice(1, -1),
        ['0:15', '0:30', '0:45', '1:00', '1:15', '1:30', '1:45', '2:00'].map(
          (t) => `  … still installing code-server 4.139.1 (${t})`,
        ),
      );
      assert.equal(lines.at(-1), 'Installed (2:05 for the last step).');
      // Nothing more once it ended.
      mock.timers.tick(60_000);
      assert.equal(lines.length, 10);
    } finally {
      mock.timers.reset();
    }
  });

  test('with everything installed already it prints nothing', async () => {
    const lines: string[] = [];
    assert.equal(await withProgress(async () => 'ready', { print: (line) => lines.push(line) }), 'ready');
    assert.deepEqual(lines, []);
  });

  test('a failed install stops the ticker, claims nothing installed, and the error comes through', async () => {
    mock.timers.enable({ apis: ['setInterval', 'Date'] });
    try {
      const lines: string[] = [];
      await assert.rejects(
        withProgress(
          async (step) => {
            step('Debian packages', 'with apt-get: chromium');
            throw new Error('apt-get failed: exit 100');
          },
          { print: (line) => lines.push(line) },
        ),
        /apt-get failed/,
      );
      mock.timers.tick(60_000);
      assert.deepEqual(lines, ['Installing Debian packages with apt-get: chromium…']);
    } finally {
      mock.timers.reset();
    }
  });

  test('minutes and seconds', () => {
    assert.deepEqual([0, 5_000, 59_999, 90_000, 720_000].map(elapsed), ['0:00', '0:05', '0:59', '1:30', '12:00']);
  });
});
