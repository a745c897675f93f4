// Test-only preload (NODE_OPTIONS="--expose-gc --require <this file>"): on SIGUSR2 the process runs a
// full garbage collection and prints the heap still in use, so a test can compare live memory over
// time without the noise of a heap that has not been collected yet.
process.on('SIGUSR2', () => {
  global.gc();
  global.gc();
  process.stdout.write(`heap-probe ${process.memoryUsage().heapUsed}\n`);
});
