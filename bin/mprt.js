#!/usr/bin/env node
// Entry point: the CLI is compiled from cli/ into dist/ by `npm install` (prepare) or `npm run build`.
import { main } from '../dist/cli/main.js';
main(process.argv.slice(2));
