/**
 * SSH host names: validated before any spawn, and read from ~/.ssh/config for the user to pick.
 * The rules follow OpenSSH 9.6's own checks on a destination (no leading '-', no whitespace,
 * control characters or shell metacharacters), so a hostile name is refused here, not by ssh.
 */

/** user@host, host, or an ssh_config alias: letters, digits and . _ - @ : [ ] % */
const SAFE_DESTINATION = /^(?:[A-Za-z0-9._-]+@)?(?:[A-Za-z0-9._%:-]+|\[[0-9A-Fa-f:.%A-Za-z]+\])$/;

export type HostCheck = { ok: true; host: string } | { ok: false; reason: string };

export function validateSshDestination(input: string): HostCheck {
  const host = input.trim();
  if (host === '') return { ok: false, reason: 'the host name is empty' };
  if (host.length > 255) return { ok: false, reason: 'the host name is longer than 255 characters' };
  if (host.startsWith('-'))
    return { ok: false, reason: `"${host}" starts with "-" and would be read as an ssh option` };
  // oxlint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\s\u0000-\u001f\u007f]/.test(host))
    return { ok: false, reason: 'the host name contains whitespace or control characters' };
  if (!SAFE_DESTINATION.test(host))
    return {
      ok: false,
      reason: `"${host}" contains characters a host name cannot have (such as ; $ \` | & ' " \\ or /)`,
    };
  return { ok: true, host };
}

/**
 * Concrete `Host` aliases in an ssh_config text (patterns with * ? ! are skipped, as are
 * `Match` blocks). Include directives are not followed.
 */
export function parseSshConfigHosts(config: string): string[] {
  const hosts = new Set<string>();
  for (const raw of config.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '').trim();
    const match = /^Host\s*(?:=\s*|\s)(.+)$/i.exec(line);
    if (!match?.[1]) continue;
    for (const name of match[1].split(/\s+/)) {
      const unquoted = name.replace(/^"(.*)"$/, '$1');
      if (/[*?!]/.test(unquoted)) continue;
      if (validateSshDestination(unquoted).ok) hosts.add(unquoted);
    }
  }
  return [...hosts];
}
