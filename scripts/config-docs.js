#!/usr/bin/env node
// `npm run config:docs`: writes what the configuration declarations (src/config/*-variables.ts)
// document, README.md's configuration tables and .env.example, from the compiled build.
// src/config/config-docs.spec.ts fails whenever the files and the declarations differ.
const fs = require('node:fs');
const path = require('node:path');
const prettier = require('prettier');
const docs = require('../dist/config/config-docs.js');

async function main() {
  const root = path.join(__dirname, '..');
  fs.writeFileSync(path.join(root, '.env.example'), docs.renderEnvExample());

  const readmePath = path.join(root, 'README.md');
  const readme = fs.readFileSync(readmePath, 'utf8');
  const start = readme.indexOf(docs.README_START);
  const end = readme.indexOf(docs.README_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`README.md needs the two markers:\n${docs.README_START}\n${docs.README_END}`);
  }
  const updated = readme.slice(0, start) + docs.renderReadmeTables() + readme.slice(end + docs.README_END.length);
  const options = { ...(await prettier.resolveConfig(readmePath)), filepath: readmePath };
  fs.writeFileSync(readmePath, await prettier.format(updated, options));
  console.log('wrote .env.example and the configuration tables of README.md');
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
