import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';

const repo = resolve(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Module specifiers a file imports, statically, dynamically or through require. */
function importedModules(source: string): string[] {
  const patterns = [
    /\bfrom\s+['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /^\s*import\s+['"]([^'"]+)['"]/gm,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1] ?? ''));
}

describe('pure layers never reach the editor or the machine', () => {
  test('the import scanner sees every way of importing vscode', () => {
    const planted = [
      "import * as vscode from 'vscode';",
      'import type { Uri } from "vscode";',
      "const v = await import('vscode');",
      "const w = require('vscode');",
    ];
    for (const line of planted) assert.deepEqual(importedModules(line), ['vscode'], line);
  });

  for (const dir of ['src/core', 'webview', 'src/shared']) {
    test(`${dir} imports neither vscode nor a Node built-in`, () => {
      const files = sourceFiles(join(repo, dir));
      assert.ok(files.length > 0, `${dir} has no sources`);
      const offenders = files.flatMap((file) =>
        importedModules(readFileSync(file, 'utf8'))
          .filter((module) => module === 'vscode' || module.startsWith('node:'))
          .map((module) => `${relative(repo, file)} imports ${module}`),
      );
      assert.deepEqual(offenders, []);
    });
  }

  /** The imports of a file under src/core that leave src/core (other than the yaml package). */
  const coreLeaks = (file: string, source: string) => {
    const core = join(repo, 'src', 'core');
    return importedModules(source)
      .filter((module) =>
        module.startsWith('.') ? relative(core, resolve(dirname(file), module)).startsWith('..') : module !== 'yaml',
      )
      .map((module) => `${relative(repo, file)} imports ${module}`);
  };

  test('the layer check catches a core file importing the protocol, a node adapter or a package', () => {
    const file = join(repo, 'src', 'core', 'sizing', 'report.ts');
    const planted = [
      "import type { EstimateView } from '../../shared/protocol.ts';",
      "import { runFile } from '../../node/runFile.ts';",
      "import GLPK from 'glpk.js';",
    ];
    for (const line of planted) assert.equal(coreLeaks(file, line).length, 1, line);
    assert.deepEqual(coreLeaks(file, "import { GIB } from './servingMemory.ts';\nimport { parse } from 'yaml';"), []);
  });

  test('src/core imports only src/core and yaml', () => {
    const files = sourceFiles(join(repo, 'src', 'core'));
    assert.deepEqual(
      files.flatMap((file) => coreLeaks(file, readFileSync(file, 'utf8'))),
      [],
    );
  });
});
