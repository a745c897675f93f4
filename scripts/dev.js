#!/usr/bin/env node
// `npm run dev`: the embedded development identity provider on DEV_IDP_PORT (default 9011), then the
// service in watch mode on PORT (default 3000). With OIDC_ISSUER pointing elsewhere (a real
// FusionAuth), only the service starts.
const { spawn, spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
const nest = require.resolve('@nestjs/cli/bin/nest.js');
const port = Number(process.env.DEV_IDP_PORT ?? 9011);
const devIssuer = `http://localhost:${port}`;
const useDevIdp = (process.env.OIDC_ISSUER ?? devIssuer).replace(/\/$/, '') === devIssuer;
const children = [];

function stop(code) {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  process.exitCode = code;
}
process.once('SIGINT', () => stop(0));
process.once('SIGTERM', () => stop(0));

async function waitForIdp() {
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${devIssuer}/.well-known/openid-configuration`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the dev IdP did not answer at ${devIssuer}`);
}

async function main() {
  if (useDevIdp) {
    const build = spawnSync(process.execPath, [nest, 'build'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) return stop(build.status ?? 1);
    const idp = spawn(process.execPath, [join(root, 'dist', 'dev-idp', 'main.js')], { cwd: root, stdio: 'inherit' });
    children.push(idp);
    idp.on('exit', (code) => stop(code ?? 1));
    await waitForIdp();
  }
  const service = spawn(process.execPath, [nest, 'start', '--watch', '--preserveWatchOutput'], {
    cwd: root,
    stdio: 'inherit',
  });
  children.push(service);
  service.on('exit', (code) => stop(code ?? 0));
}

main().catch((error) => {
  console.error(error.message);
  stop(1);
});
