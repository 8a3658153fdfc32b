// `policygate completion bash|zsh|fish`, tried in the real shells: the script the CLI prints is loaded
// into bash, zsh and fish (those on the machine), and what each offers at the cursor is compared
// with what the commands declare. bash is given COMP_WORDS as bash's readline would; zsh runs
// interactively in a pseudo-terminal (zsh/zpty) and is sent a TAB; fish answers `complete -C`.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, loadCommands } from '../../src/cli/commands.js';
import { scratchDirectories } from '../helpers/scratch.js';
import { runCli } from './run-cli.js';

const run = promisify(execFile);
const SHELLS = ['bash', 'zsh', 'fish'] as const;
/** A shell per line (bash, fish) or one zsh with compinit: seconds each on a loaded machine. */
const SHELL_TIMEOUT_MS = 120_000;
type Shell = (typeof SHELLS)[number];

async function onMachine(shell: Shell): Promise<boolean> {
  try {
    // zsh is driven through its zpty module: without it, zsh cannot be tested here.
    await run(shell, shell === 'zsh' ? ['-fc', 'zmodload zsh/zpty'] : ['-c', 'true']);
    return true;
  } catch {
    return false;
  }
}
const available = Object.fromEntries(await Promise.all(SHELLS.map(async (shell) => [shell, await onMachine(shell)] as const))) as Record<Shell, boolean>;

/** Bash's words for a line: split at spaces, and `--option=value` at the "=" (COMP_WORDBREAKS). */
function bashWords(line: string): string[] {
  return line.split(' ').flatMap((word) => {
    const at = word.startsWith('--') ? word.indexOf('=') : -1;
    return at < 0 ? [word] : [word.slice(0, at), '=', ...(at + 1 < word.length ? [word.slice(at + 1)] : [''])];
  });
}

interface Where {
  scripts: Record<Shell, string>;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** What the shell offers for each line (the cursor at its end), as it prints it. */
const COMPLETERS: Record<Shell, (lines: readonly string[], where: Where) => Promise<string[]>> = {
  bash: (lines, { scripts, cwd, env }) => {
    const body = 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _policygate; printf "%s\\n" "${COMPREPLY[@]}"';
    return Promise.all(lines.map(async (line) => (await run('bash', ['--norc', '-c', body, 'bash', scripts.bash, ...bashWords(line)], { cwd, env })).stdout));
  },
  fish: (lines, { scripts, cwd, env }) =>
    Promise.all(lines.map(async (line) => (await run('fish', ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', scripts.fish, line], { cwd, env })).stdout)),
  zsh: async (lines, { scripts, cwd, env }) => {
    // One interactive zsh in a pseudo-terminal for all the lines: compinit (its dump kept beside the
    // scripts), compadd wrapped to print each match it is given as matched against the word under the
    // cursor, the script loaded; then each line is typed with a TAB bound to complete, mark, clear.
    const setup = `${scripts.zsh}.setup`;
    await writeFile(
      setup,
      [
        "PS1='' RPROMPT=''",
        `autoload -Uz compinit && compinit -u -d ${scripts.zsh}.zcompdump`,
        "zstyle ':completion:*' insert-tab false",
        'compadd() {',
        '  local arg',
        '  for arg in "$@"; do',
        '    case $arg in',
        '      -[OAD]*) builtin compadd "$@"; return ;;',
        '      -|--) break ;;',
        '    esac',
        '  done',
        '  local -a matches',
        '  builtin compadd -O matches "$@"',
        '  (( $#matches )) && print -rl -- "<match>"${^matches}',
        '  builtin compadd "$@"',
        '}',
        "complete-and-mark() { zle complete-word; print -r -- '<done>'; zle kill-whole-line }",
        'zle -N complete-and-mark',
        "bindkey '^I' complete-and-mark",
        `source ${scripts.zsh}`,
        "print -r -- '<ready>'",
      ].join('\n'),
    );
    const driver = [
      'zmodload zsh/zpty',
      'zpty shell zsh -f -i',
      'zpty -w shell "source ${(q)1}"',
      "zpty -r shell out '*<ready>*' || exit 4",
      'shift',
      'for line in "$@"; do',
      "  zpty -w -n shell \"$line\"$'\\t'",
      "  zpty -r shell out '*<done>*' || exit 5",
      "  print -r -- '<line>'",
      "  for output in ${(f)out}; do [[ $output == *'<match>'* ]] && print -r -- \"${${output#*<match>}%%$'\\r'*}\"; done",
      'done',
      'zpty -d shell',
    ].join('\n');
    const { stdout } = await run('zsh', ['-fc', driver, 'zsh', setup, ...lines], { cwd, env, timeout: 60_000 });
    return stdout.split('<line>\n').slice(1);
  },
};

/** What the shell offers at the end of each line: the words alone (fish adds a tab and a description), each once, sorted. */
async function complete(shell: Shell, lines: readonly string[], where: Where): Promise<Record<string, string[]>> {
  const outputs = await COMPLETERS[shell](lines, where);
  return Object.fromEntries(
    lines.map((line, index) => {
      const offered = (outputs[index] ?? '').split('\n').filter((word) => word !== '').map((word) => word.split('\t')[0] ?? '');
      return [line, [...new Set(offered)].sort()];
    }),
  );
}

describe('policygate completion', () => {
  it('names the shells when none is given, or one it has no script for (exit 2)', async () => {
    const none = await runCli(['completion']);
    expect(none.stderr).toBe('policygate completion: name a shell: bash, zsh, fish (see --help)\n');
    expect(none.code).toBe(2);
    const unknown = await runCli(['completion', 'tcsh']);
    expect(unknown.stderr).toBe('policygate completion: no completion for "tcsh": the shells are bash, zsh, fish\n');
    expect(unknown.code).toBe(2);
  });

  const where: Where = { scripts: {} as Record<Shell, string>, cwd: '', env: {} };
  const scratch = scratchDirectories('policygate-completion');
  beforeAll(async () => {
    const root = await scratch();
    // Manifests to complete, and a home of its own so that no shell reads or writes the user's.
    where.cwd = join(root, 'work');
    await mkdir(join(where.cwd, 'overlays'), { recursive: true });
    await writeFile(join(where.cwd, 'deploy.yaml'), 'kind: Pod\n');
    await writeFile(join(where.cwd, 'pods.json'), '{}\n');
    where.env = { PATH: process.env.PATH ?? '', HOME: root, XDG_CONFIG_HOME: join(root, 'config'), XDG_DATA_HOME: join(root, 'data'), TERM: 'dumb' };
    await Promise.all(
      SHELLS.map(async (shell) => {
        const printed = await runCli(['completion', shell]);
        expect(printed.code).toBe(0);
        expect(printed.stderr).toBe('');
        where.scripts[shell] = join(root, `policygate.${shell}`);
        await writeFile(where.scripts[shell], printed.stdout);
      }),
    );
  }, 60_000);

  describe.each(SHELLS)('%s', (shell) => {
    const test = it.skipIf(!available[shell]);

    test('offers the commands, and completes one from its first letters', async () => {
      const commands = Object.keys(COMMANDS);
      expect(commands).toEqual(expect.arrayContaining(['check', 'completion', 'version']));
      const offered = await complete(shell, ['policygate ', 'policygate ch', 'policygate ver'], where);
      expect({ ...offered, 'policygate ': offered['policygate ']?.filter((word) => !word.startsWith('-')) }).toEqual({
        'policygate ': [...commands, 'help'].sort(),
        'policygate ch': ['check'],
        'policygate ver': ['version'],
      });
    }, SHELL_TIMEOUT_MS);

    test("offers each command's options, exactly as the command declares them", async () => {
      const commands = await loadCommands();
      const offered = await complete(shell, commands.map((command) => `policygate ${command.name} --`), where);
      expect(offered).toEqual(Object.fromEntries(commands.map((command) => [`policygate ${command.name} --`, [...Object.keys(command.options), 'help'].map((name) => `--${name}`).sort()])));
    }, SHELL_TIMEOUT_MS);

    test('offers the fixed values of an option, after a space or an "="', async () => {
      const expected = {
        'policygate rules --format ': ['json', 'markdown', 'text'],
        'policygate rules -o m': ['markdown'],
        'policygate audit --fail-on ': ['audit', 'enforce', 'never', 'warn'],
        'policygate audit --fail-on=e': ['enforce'],
        'policygate serve --log-level w': ['warn'],
        'policygate serve --failure-policy ': ['Fail', 'Ignore'],
        'policygate webhooks --failure-policy I': ['Ignore'],
        'policygate fix -o ': ['json', 'text'],
        'policygate baseline --output j': ['json'],
        'policygate completion ': ['bash', 'fish', 'zsh'],
      };
      const offered = await complete(shell, Object.keys(expected), where);
      // fish completes `--fail-on=e` as the whole word, bash and zsh the value after the "=".
      offered['policygate audit --fail-on=e'] = offered['policygate audit --fail-on=e']?.map((word) => word.replace(/^--fail-on=/, '')) ?? [];
      expect(offered).toEqual(expected);
    }, SHELL_TIMEOUT_MS);

    test('offers files for a file option and for paths, directories for a directory, nothing for free text', async () => {
      const expected = {
        'policygate check ': ['deploy.yaml', 'overlays', 'pods.json'],
        'policygate check --config ': ['deploy.yaml', 'overlays', 'pods.json'],
        'policygate review d': ['deploy.yaml'],
        'policygate certs --out ': ['overlays'],
        'policygate serve -c ': ['deploy.yaml', 'overlays', 'pods.json'],
        'policygate serve --ca-bundle ': ['deploy.yaml', 'overlays', 'pods.json'],
        'policygate fix ': ['deploy.yaml', 'overlays', 'pods.json'],
        'policygate serve --register-webhooks ': [],
        'policygate audit --namespace ': [],
      };
      const offered = await complete(shell, [...Object.keys(expected), 'policygate rules '], where);
      // A directory is offered as `overlays/` by zsh and fish, as `overlays` by bash (which adds the slash itself).
      const entries = Object.fromEntries(Object.entries(offered).map(([line, words]) => [line, words.map((word) => word.replace(/\/$/, ''))]));
      expect(entries['policygate rules ']).not.toContain('deploy.yaml');
      delete entries['policygate rules '];
      expect(entries).toEqual(expected);
    }, SHELL_TIMEOUT_MS);
  });
});
