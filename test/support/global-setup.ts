import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Builds the handler bundles once per run, so handler tests exercise the current source as Lambda would load it. */
export default function globalSetup(): void {
  // The SDK warns once per load that it will need Node 22 from 2027; Lambda runs Node 22, the tests Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build-functions.mjs')], { stdio: 'inherit' });
}
