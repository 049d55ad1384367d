import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { Commands, Views } from '../../src/constants.ts';
import { readSetting, SECTION, SETTINGS, type Spec } from '../../src/features/config/settingsTable.ts';

interface SettingSchema {
  scope?: string;
  markdownDescription?: string;
  description?: string;
  default?: unknown;
}

const manifest = JSON.parse(readFileSync(resolve(import.meta.dirname, '..', '..', 'package.json'), 'utf8'));
const settings: Record<string, SettingSchema> = manifest.contributes.configuration.properties;
const commands: { command: string; title: string; category?: string }[] = manifest.contributes.commands;

/** Settings that name something the extension runs or contacts. */
const NAMES_AN_EXECUTABLE_HOST_OR_URL =
  /(path|host|hosts|url|endpoint|kubeconfig|context|args|arguments|command|configFile|kubernetes\.enabled)$/i;

describe('package.json manifest', () => {
  test('is GPU Workbench, GPL-3.0-or-later, for a VS Code the tests run', () => {
    assert.equal(manifest.displayName, 'GPU Workbench');
    assert.equal(manifest.license, 'GPL-3.0-or-later');
    assert.equal(manifest.main, './dist/extension.js');
    assert.match(manifest.engines.vscode, /^\^1\.\d+\.\d+$/);
  });

  test('activates lazily: no "*" and no onStartupFinished', () => {
    const events: string[] = manifest.activationEvents ?? [];
    assert.ok(!events.includes('*'));
    assert.ok(!events.includes('onStartupFinished'));
  });

  test('every command a menu names exists', () => {
    const known = new Set(commands.map((c) => c.command));
    for (const [menu, entries] of Object.entries(manifest.contributes.menus as Record<string, { command: string }[]>)) {
      for (const entry of entries) assert.ok(known.has(entry.command), `${menu} names unknown ${entry.command}`);
    }
  });

  test('contributes exactly the commands in src/constants.ts, all gpuWorkbench.* in the GPU Workbench category', () => {
    assert.deepEqual(commands.map((c) => c.command).sort(), Object.values(Commands).sort());
    for (const command of commands) {
      assert.match(command.command, /^gpuWorkbench\.[a-z][A-Za-z]+$/);
      assert.equal(command.category, 'GPU Workbench');
    }
  });

  test('has an activity-bar container with a "GPUs" view and a "Model services" view', () => {
    const containers: { id: string }[] = manifest.contributes.viewsContainers.activitybar;
    assert.ok(containers.some((c) => c.id === Views.container));
    const views: { id: string; name: string }[] = manifest.contributes.views[Views.container];
    assert.deepEqual(
      views.map((v) => [v.id, v.name]),
      [
        [Views.gpus, 'GPUs'],
        [Views.services, 'Model services'],
      ],
    );
  });

  test('the settings table and the manifest list the same settings, with the same scope and a default of the right type', () => {
    const specs: Spec[] = Object.values(SETTINGS);
    assert.deepEqual(specs.map((s) => `${SECTION}.${s.key}`).sort(), Object.keys(settings).sort());
    for (const spec of specs) {
      const schema = settings[`${SECTION}.${spec.key}`]!;
      assert.equal(schema.scope ?? 'window', spec.scope, `${spec.key}: scope`);
      // The manifest's default is what a missing or wrong value falls back to: it must read as the
      // table's kind (an empty string reads as "unset", which is what it means).
      if (!(spec.kind === 'string' && schema.default === '')) {
        assert.notEqual(
          readSetting(spec.kind, schema.default),
          undefined,
          `${spec.key}: default ${String(schema.default)}`,
        );
      }
    }
  });

  test('a setting of the wrong type reads as missing, so the default applies', () => {
    assert.equal(readSetting('positiveNumber', 0), undefined);
    assert.equal(readSetting('positiveNumber', '10'), undefined);
    assert.equal(readSetting('nonNegativeNumber', 0), 0);
    assert.equal(readSetting('boolean', 'true'), undefined);
    assert.equal(readSetting('string', '  '), undefined);
    assert.deepEqual(readSetting('stringList', ['a', 3, 'b']), ['a', 'b']);
    assert.deepEqual(readSetting('severities', { a: 'error', b: 'loud', c: 'off' }), { a: 'error', c: 'off' });
  });

  test('every setting has a markdownDescription', () => {
    for (const [key, schema] of Object.entries(settings)) {
      assert.ok(
        schema.markdownDescription && schema.markdownDescription.length > 20,
        `${key} needs a markdownDescription`,
      );
      assert.equal(schema.description, undefined, `${key}: use markdownDescription only`);
    }
  });

  test('settings naming an executable, host, URL or kubeconfig are machine-scoped and restricted in untrusted workspaces', () => {
    const untrusted = manifest.capabilities.untrustedWorkspaces;
    assert.equal(untrusted.supported, 'limited');
    const restricted = new Set<string>(untrusted.restrictedConfigurations);
    const sensitive = Object.keys(settings).filter((key) => NAMES_AN_EXECUTABLE_HOST_OR_URL.test(key));
    for (const key of [
      'gpuWorkbench.nvidiaSmiPath',
      'gpuWorkbench.sshHosts',
      'gpuWorkbench.ssh.configFile',
      'gpuWorkbench.prometheus.url',
      'gpuWorkbench.kubernetes.kubeconfig',
      'gpuWorkbench.kubectlPath',
    ]) {
      assert.ok(sensitive.includes(key), key);
    }
    for (const key of sensitive) {
      assert.equal(settings[key]?.scope, 'machine', `${key} must be scope "machine"`);
      assert.ok(restricted.has(key), `${key} must be in restrictedConfigurations`);
    }
    for (const key of restricted) assert.ok(settings[key], `restrictedConfigurations names unknown setting ${key}`);
    for (const [key, schema] of Object.entries(settings)) {
      if (schema.scope === 'machine') assert.ok(restricted.has(key), `${key} is machine-scoped but not restricted`);
    }
  });
});
