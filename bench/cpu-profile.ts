import { readFileSync } from 'node:fs';
import { log } from './support/log';

// `node dist/bench/bench/cpu-profile.js <file.cpuprofile>...`: where a profiled process spent its
// time (V8's --cpu-prof format), by function and by package, self time only.

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The package a script belongs to: `node_modules/<name>` (scoped too), the service's own code, or Node's. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1]!;
  if (url.startsWith('node:')) return 'node (internal)';
  if (url.includes('/dist/')) return 'the service (dist/)';
  return url;
}

function selfTimes(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  return self;
}

function top(totals: Map<string, number>, all: number, count: number): string[] {
  return [...totals.entries()]
    .sort((x, y) => y[1] - x[1])
    .slice(0, count)
    .map(
      ([name, us]) =>
        `${((100 * us) / all).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`,
    );
}

function summarize(file: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const self = selfTimes(profile);
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let all = 0;
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (us === 0 || functionName === '(idle)') continue;
    all += us;
    const pkg = packageOf(url, functionName);
    const name = `${functionName || '(anonymous)'} ${pkg}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  log(`${file}: ${(all / 1000).toFixed(0)} ms of CPU (idle left out)`);
  log(`  by package:\n    ${top(byPackage, all, 20).join('\n    ')}`);
  log(`  by function (self time):\n    ${top(byFunction, all, 30).join('\n    ')}`);
}

if (require.main === module) {
  const files = process.argv.slice(2);
  if (files.length === 0) log('usage: node dist/bench/bench/cpu-profile.js <file.cpuprofile>...');
  files.forEach(summarize);
}
