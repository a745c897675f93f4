import { readFileSync } from 'node:fs';
import { log } from './support/log';

// `node dist/bench/bench/cpu-profile.js [--skip-ms=N] <file.cpuprofile>...`: where a profiled process
// spent its CPU time (V8's --cpu-prof format), by function and by package. `--skip-ms` leaves out the
// profile's first N ms (the start-up: module loading and compilation).

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const NODE_ITSELF = new Set(['node (internal)', '(native)', '(garbage collector)', '(program)']);

/** The package a script belongs to: `node_modules/<name>` (scoped too), the service's own code, or Node's. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1]!;
  if (url.startsWith('node:')) return 'node (internal)';
  if (url.includes('/dist/')) return 'the service (dist/)';
  return url;
}

/** Microseconds of samples per node, leaving out the first `skipMs`. */
function selfTimes(profile: CpuProfile, skipMs: number): Map<number, number> {
  const self = new Map<number, number>();
  let at = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at >= skipMs * 1000) self.set(id, (self.get(id) ?? 0) + delta);
  });
  return self;
}

/** Node's own time (I/O, natives, GC) charged to the nearest caller that is a package or the service. */
function callerOf(node: ProfileNode, parents: Map<number, ProfileNode>): string {
  for (let at: ProfileNode | undefined = node; at; at = parents.get(at.id)) {
    const pkg = packageOf(at.callFrame.url, at.callFrame.functionName);
    if (!NODE_ITSELF.has(pkg) && pkg !== '(root)') return pkg;
  }
  return 'node itself (no package on the stack: sockets, HTTP parsing, timers)';
}

function top(totals: Map<string, number>, all: number, count: number): string {
  return [...totals.entries()]
    .sort((x, y) => y[1] - x[1])
    .slice(0, count)
    .map(
      ([name, us]) =>
        `${((100 * us) / all).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`,
    )
    .join('\n    ');
}

function summarize(file: string, skipMs: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const self = selfTimes(profile, skipMs);
  const parents = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
  const [byFunction, byPackage, byCaller] = [
    new Map<string, number>(),
    new Map<string, number>(),
    new Map<string, number>(),
  ];
  const add = (totals: Map<string, number>, key: string, us: number) => totals.set(key, (totals.get(key) ?? 0) + us);
  let all = 0;
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (us === 0 || functionName === '(idle)') continue;
    all += us;
    const pkg = packageOf(url, functionName);
    add(byFunction, `${functionName || '(anonymous)'} ${pkg}${url ? `:${lineNumber + 1}` : ''}`, us);
    add(byPackage, pkg, us);
    add(byCaller, callerOf(node, parents), us);
  }
  log(`${file}: ${(all / 1000).toFixed(0)} ms of CPU (idle and the first ${skipMs} ms left out)`);
  log(`  by package (self time):\n    ${top(byPackage, all, 15)}`);
  log(`  by package, Node's own time charged to the package that called it:\n    ${top(byCaller, all, 15)}`);
  log(`  by function (self time):\n    ${top(byFunction, all, 30)}`);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const skip = Number(/^--skip-ms=(\d+)$/.exec(args.find((a) => a.startsWith('--skip-ms=')) ?? '')?.[1] ?? 0);
  const files = args.filter((a) => !a.startsWith('--'));
  if (files.length === 0) log('usage: node dist/bench/bench/cpu-profile.js [--skip-ms=N] <file.cpuprofile>...');
  for (const file of files) summarize(file, skip);
}
