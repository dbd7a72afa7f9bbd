import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../src/cli/commands.js';
import { ROOT, runCli } from './helpers/cli.js';

/** The README's command table: the usage line in the first column of each row, as a user reads it. */
function readmeCommandLines(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('## Commands'),
    readme.indexOf('\n## ', readme.indexOf('## Commands') + 1),
  );
  return section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => /^\| `((?:[^`])+)` \|/.exec(l)![1]!.replace(/\\\|/g, '|'));
}

describe('commands explain themselves', () => {
  it("the README's command table lists exactly the commands and flags the command line declares", () => {
    expect(readmeCommandLines()).toEqual(commands.map((c) => c.synopsis()));
  });

  it('every command has help naming each of its flags', () => {
    for (const c of commands) {
      const help = c.help();
      expect(help.startsWith(`Usage: onecore-sync ${c.synopsis()}\n`), c.name).toBe(true);
      for (const flag of c.synopsis().match(/--[a-z-]+/g) ?? [])
        expect(help, `${c.name} ${flag}`).toMatch(new RegExp(`^  ${flag}\\b`, 'm'));
      expect(help).toMatch(/^ {2}-h, --help/m);
    }
  });

  it('`<command> --help`, `help <command>` and `help <group>` print help and exit 0; an unknown one exits 2', async () => {
    const [syncHelp, helpTrigger, tokenHelp, simulateH, unknown] = await Promise.all([
      runCli(['sync', '--help'], {}),
      runCli(['help', 'trigger'], {}),
      runCli(['token', '--help'], {}),
      runCli(['simulate', '-h', '--port', 'not-a-port'], {}),
      runCli(['help', 'nosuch'], {}),
    ]);
    expect(syncHelp.code, syncHelp.stderr).toBe(0);
    expect(syncHelp.stdout).toMatch(
      /^Usage: onecore-sync sync \[--mode incremental\|mirror\|backfill\].*\[--concurrency N\]$/m,
    );
    expect(syncHelp.stdout).toMatch(/^ {2}--concurrency N +endpoints walked at once .*\(1–16\)$/m);
    expect(helpTrigger.code, helpTrigger.stderr).toBe(0);
    expect(helpTrigger.stdout).toMatch(/^Usage: onecore-sync trigger incremental\|mirror \[--endpoint NAME\]…$/m);
    expect(tokenHelp.code, tokenHelp.stderr).toBe(0);
    expect(tokenHelp.stdout).toContain('Usage: onecore-sync token set [TOKEN|-]');
    expect(tokenHelp.stdout).toContain('Usage: onecore-sync token status [--json]');
    // Help wins over a bad flag: the user asked what the flags are.
    expect(simulateH.code, simulateH.stderr).toBe(0);
    expect(simulateH.stdout).toMatch(/^ {2}--page-size N +records per page/m);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
  });
});
