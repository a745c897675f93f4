/** Progress for a person: one line each. Anything wrong starts with `!!!`, so it stands out. */
export function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function loud(line: string): void {
  log(`!!! ${line}`);
}
