/** A hung wrapper (a script that starts the real tool) is stopped with its children at the timeout. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { queryLocalHost } from '../../src/node/localGpus.ts';
import { runFile } from '../../src/node/runFile.ts';

/** PIDs of the sleeps this file's wrappers start (durations no other test uses). */
function leftovers(): number[] {
  try {
    return execFileSync('pgrep', ['-f', '^sleep 359[1-4]$'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

describe('hung wrappers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-workbench-wrapper-'));
  after(() => {
    // Whatever a failing run left behind is stopped by PID.
    for (const pid of leftovers()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('nvidia-smi as a shell wrapper with a background and a foreground child: none is left after the timeout', async () => {
    const wrapper = join(dir, 'nvidia-smi');
    // `; true` keeps the shell from exec'ing the last command, so the sleeps are its children.
    writeFileSync(wrapper, '#!/bin/sh\nsleep 3591 &\nsleep 3592; true\n');
    chmodSync(wrapper, 0o755);
    assert.deepEqual(leftovers(), []);
    const started = Date.now();
    const host = await queryLocalHost({
      nvidiaSmiPath: wrapper,
      rocmSmiPath: join(dir, 'none'),
      timeoutMs: 300,
      sysinfoWorkerPath: undefined,
    });
    assert.equal(host.status.kind, 'failed');
    assert.match(host.status.kind === 'failed' ? host.status.reason : '', /timed out after 0.3 s/);
    assert.ok(Date.now() - started < 5000);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(leftovers(), [], "the wrapper's children outlived the timeout");
  });

  test('a wrapper that exits at once but leaves a child holding the output pipe does not hang the caller', async () => {
    const wrapper = join(dir, 'detaching');
    writeFileSync(wrapper, '#!/bin/sh\necho ok\nsleep 3593 &\nexit 0\n');
    chmodSync(wrapper, 0o755);
    const started = Date.now();
    const result = await runFile(wrapper, [], { timeoutMs: 10_000 });
    // Well before the timeout: the leftover child is stopped when the wrapper exits.
    assert.ok(Date.now() - started < 3000, `${Date.now() - started} ms`);
    assert.equal(result.kind, 'exited');
    assert.equal(result.kind === 'exited' ? result.stdout.trim() : '', 'ok');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(leftovers(), []);
  });

  test('a timeout past 2^31-1 ms does not fire at once', async () => {
    const quick = join(dir, 'quick');
    writeFileSync(quick, '#!/bin/sh\necho done\n');
    chmodSync(quick, 0o755);
    const result = await runFile(quick, [], { timeoutMs: 2 ** 31 + 5 });
    assert.equal(result.kind, 'exited');
    assert.equal(result.kind === 'exited' ? result.stdout.trim() : '', 'done');
    const fractional = await runFile(quick, [], { timeoutMs: 0.5 });
    assert.notEqual(fractional.kind, 'notStarted');
  });
});
