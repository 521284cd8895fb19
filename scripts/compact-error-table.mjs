// mysql2's table of MySQL error names (lib/constants/errors.js: about 1,970
// names, each written twice, `exports.ER_X = 1045;` and
// `exports[1045] = 'ER_X';`) took 148 KB of a MySQL handler's 807 KB
// bundle, and its 3,940 statements were parsed and run at every cold start
// (about 13 ms of a require that took 124 ms in alternating runs on
// 2026-12-06). mysql2 reads it to name a server's error (`err.code`, which
// the handlers' logs show), so it stays whole: the bundle gets the same
// table written compactly, each name once (67 KB).
import { readFileSync } from 'node:fs';

/**
 * A CommonJS module whose `exports` ends up equal to `table` (an object of
 * name → code and code → name), property for property and in the same
 * order: the names and their codes as two lists, a loop that sets both
 * directions, then any code whose name is not the one the loop gave it.
 */
export function compactErrorTable(table) {
  const entries = Object.entries(table);
  const isCode = (key) => /^(0|[1-9][0-9]*)$/.test(key);
  const names = entries.filter(([key]) => !isCode(key));
  for (const [name, code] of names) {
    if (!Number.isSafeInteger(code) || code < 0 || /[\s,]/.test(name) || name === '') throw new Error(`compactErrorTable: ${JSON.stringify(name)} → ${JSON.stringify(code)} is not a name and a code`);
  }
  const byLoop = new Map(names.map(([name, code]) => [String(code), name]));
  const exceptions = [];
  for (const [key, value] of entries.filter(([key]) => isCode(key))) {
    if (typeof value !== 'string') throw new Error(`compactErrorTable: code ${key} → ${JSON.stringify(value)} is not a name`);
    if (byLoop.get(key) !== value) exceptions.push([Number(key), value]);
  }
  // Codes the loop would set that the table does not have.
  const absent = [...byLoop.keys()].filter((code) => !(code in table)).map(Number);
  return [
    "'use strict';",
    `const names = ${JSON.stringify(names.map(([name]) => name).join(' '))}.split(' ');`,
    `const codes = ${JSON.stringify(names.map(([, code]) => code))};`,
    'for (let i = 0; i < names.length; i += 1) exports[names[i]] = codes[i];',
    'for (let i = 0; i < names.length; i += 1) exports[codes[i]] = names[i];',
    ...exceptions.map(([code, name]) => `exports[${code}] = ${JSON.stringify(name)};`),
    ...absent.map((code) => `delete exports[${code}];`),
    '',
  ].join('\n');
}

/** The esbuild plugin: mysql2's lib/constants/errors.js, loaded by Node and written back compactly. */
export const compactMysqlErrorTable = {
  name: 'compact-mysql2-error-table',
  setup(plugin) {
    plugin.onLoad({ filter: /[\\/]mysql2[\\/]lib[\\/]constants[\\/]errors\.js$/ }, (args) => {
      // The file's own text, run as a module, so the table is exactly mysql2's.
      const table = {};
      new Function('exports', readFileSync(args.path, 'utf8'))(table);
      return { contents: compactErrorTable(table), loader: 'js' };
    });
  },
};
