// The processes a test started and what became of them, from /proc (Linux): tests of signals check
// that nothing beneath the process they signalled is left running.
import { readFile } from 'node:fs/promises';

/** The processes below `pid`: children, their children, and so on. */
export async function descendants(pid: number): Promise<number[]> {
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')).split(' ').filter(Boolean).map(Number);
  return [...children, ...(await Promise.all(children.map(descendants))).flat()];
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILL to what a failed test left running, if its command line still names it (ids get reused). */
export async function killLeftovers(pids: readonly number[], named: RegExp): Promise<void> {
  for (const pid of pids) {
    const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (named.test(command)) process.kill(pid, 'SIGKILL');
  }
}
