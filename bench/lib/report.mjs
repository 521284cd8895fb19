// Shared by the benchmark scripts: statistics, the machine's description, and
// bench/RESULTS.md, which holds one section per benchmark between markers, so
// each script rewrites its own section and leaves the others as they were.
import { cpus, totalmem } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const rootDir = join(benchDir, '..');
const RESULTS = join(benchDir, 'RESULTS.md');

/** The order of the sections in RESULTS.md. */
export const SECTIONS = ['synth', 'synth-phases', 'cdktf-cli', 'handlers', 'handlers-other-node', 'rotation', 'terraform', 'npm-test'];

const sorted = (xs) => [...xs].sort((a, b) => a - b);
/** Nearest-rank percentile of xs, p in (0, 100]. */
export const percentile = (xs, p) => sorted(xs)[Math.max(0, Math.ceil((p / 100) * xs.length) - 1)];
export const median = (xs) => {
  const s = sorted(xs);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
export const summary = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), p95: percentile(xs, 95), runs: xs.length });

/** e.g. "2 × AMD EPYC 7B13, 24 GiB, Node v20.20.2". */
export function machine() {
  const cores = cpus();
  return `${cores.length} × ${cores[0].model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/** The lines every section starts with: what was measured where, when, and how to measure it again. */
export function provenance(command) {
  return `- Machine: ${machine()}\n- Date: ${new Date().toISOString().slice(0, 10)}\n- Command: \`${command}\``;
}

/** A markdown table from a header row and rows of cells. */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Replaces (or adds, in SECTIONS order) the section `name` of bench/RESULTS.md. */
export function writeSection(name, markdown) {
  if (!SECTIONS.includes(name)) throw new Error(`unknown section ${name}; add it to SECTIONS in bench/lib/report.mjs`);
  const current = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
  const blocks = new Map();
  for (const match of current.matchAll(/<!-- bench:([\w-]+) -->\n([\s\S]*?)<!-- \/bench:\1 -->/g)) blocks.set(match[1], match[2]);
  blocks.set(name, `${markdown.trim()}\n`);
  const body = SECTIONS.filter((s) => blocks.has(s)).map((s) => `<!-- bench:${s} -->\n${blocks.get(s)}<!-- /bench:${s} -->`);
  // Notes written by hand after the last section (runs of other days, kept apart) stay.
  const lastEnd = [...current.matchAll(/<!-- \/bench:[\w-]+ -->\n/g)].at(-1);
  const notes = lastEnd ? current.slice(lastEnd.index + lastEnd[0].length).trim() : '';
  writeFileSync(
    RESULTS,
    `# Benchmark results\n\nWritten by the scripts in bench/ (\`npm run bench\` runs them all; each section says the command that measures it alone). Timings on a shared 2-core machine vary by 10 to 20 % from run to run: compare figures from the same run.\n\n${body.join('\n\n')}\n${notes ? `\n${notes}\n` : ''}`,
  );
}
