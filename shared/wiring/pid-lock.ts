import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/** Whether a process with this pid runs on this machine. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An exclusive lock file that names its holder's pid. A lock whose holder died (SIGKILL) is
 * replaced. When a live process holds it, `onHeld` decides: throw (return an error to throw),
 * or wait and try again (return undefined). Resolves to the release.
 */
export async function acquirePidLock(file: string, onHeld: (holder: number) => Error | undefined): Promise<() => void> {
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        if (readPid(file) === process.pid) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readPid(file);
    if (holder !== undefined && holder !== process.pid && pidAlive(holder)) {
      const refusal = onHeld(holder);
      if (refusal) throw refusal;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } else if (holder !== undefined) {
      rmSync(file, { force: true });
    } else {
      // Between another process creating the file and writing its pid.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
