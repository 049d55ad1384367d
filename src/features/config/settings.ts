/** Typed reads and writes of the settings in settingsTable.ts, and which group a change touches. */
import * as vscode from 'vscode';
import {
  readSetting,
  SECTION,
  SETTINGS,
  type SettingGroup,
  type SettingName,
  type SettingValue,
  type Spec,
} from './settingsTable.ts';

/**
 * The typed value of a setting. A machine-scoped setting comes from user settings only: a value a
 * workspace file puts there is never used, whatever VS Code's own scope handling does.
 */
export function setting<N extends SettingName>(name: N): SettingValue<N> {
  const spec: Spec = SETTINGS[name];
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect(spec.key);
  const raw =
    spec.scope === 'machine'
      ? inspected?.globalValue
      : vscode.workspace.getConfiguration(SECTION).get<unknown>(spec.key);
  const value = readSetting(spec.kind, raw) ?? readSetting(spec.kind, inspected?.defaultValue);
  // An empty string's default is "unset"; every other kind has a manifest default (tested).
  return (value ?? (spec.kind === 'stringList' ? [] : undefined)) as SettingValue<N>;
}

/** Writes a machine-scoped setting to the user's settings. */
export function updateUserSetting(name: SettingName, value: unknown): Thenable<void> {
  return vscode.workspace
    .getConfiguration(SECTION)
    .update(SETTINGS[name].key, value, vscode.ConfigurationTarget.Global);
}

/**
 * Writes a window-scoped setting where its value is in effect: the workspace's settings if they set
 * it, else the user's, so the value written is the value read next.
 */
export function updateEffectiveSetting(name: SettingName, value: unknown): Thenable<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const inWorkspace = config.inspect(SETTINGS[name].key)?.workspaceValue !== undefined;
  return config.update(
    SETTINGS[name].key,
    value,
    inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global,
  );
}

/** Whether a configuration change touches a setting of the group. */
export function affects(event: vscode.ConfigurationChangeEvent, group: SettingGroup): boolean {
  return Object.values(SETTINGS).some(
    (spec: Spec) => spec.group === group && event.affectsConfiguration(`${SECTION}.${spec.key}`),
  );
}
