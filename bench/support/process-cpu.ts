import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in hundredths of a second on every architecture Node runs on. */
const MICROSECONDS_PER_TICK = 10_000;

/**
 * The CPU time a process has used so far (every thread), in µs: in its own code (user) and in the
 * kernel on its behalf (system calls, loopback TCP), from `/proc/<pid>/stat`; undefined where there
 * is no /proc (macOS) or the process is gone.
 */
export function processCpu(pid: number | undefined): { userUs: number; systemUs: number } | undefined {
  if (pid === undefined) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 (utime, stime) are the 12th and 13th after the name.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime)
    ? { userUs: utime * MICROSECONDS_PER_TICK, systemUs: stime * MICROSECONDS_PER_TICK }
    : undefined;
}
