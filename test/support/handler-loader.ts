import { join } from 'node:path';
import { Handler } from './rotation-harness';

const DIST = join(__dirname, '..', '..', 'dist', 'functions');

/**
 * The built bundle of `name`, evaluated afresh with `env` added to the
 * environment, as Lambda would start it with that configuration. A handler
 * reads its environment once, at load time, so each configuration needs its
 * own evaluation.
 *
 * Under Jest, `delete require.cache[...]` is a no-op (Jest's require.cache is
 * a read-only view of its own registry), so a plain re-require returns the
 * module first loaded, with the environment of that first load. A fresh
 * module registry per load is what makes the new environment take effect.
 *
 * Each fresh evaluation would repeat the AWS SDK's once-per-process warning
 * about the Node.js version; it is turned off unless `extraEnv` says otherwise.
 */
export function loadHandlerWithEnv(name: string, extraEnv: Record<string, string>): Handler {
  const path = join(DIST, name, 'index.js');
  const env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extraEnv };
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    let handler: Handler | undefined;
    jest.isolateModules(() => {
      handler = require(path).handler;
    });
    return handler!;
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
