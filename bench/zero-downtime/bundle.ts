// Bundles the load runner (autocannon inside) into one CommonJS file that any Node 18+ host can run without node_modules.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ENTRY = fileURLToPath(new URL('./load-runner.ts', import.meta.url));

/** Writes the runner to `outfile`; esbuild's warnings go to stderr, an error throws. */
export async function bundleLoadRunner(outfile: string): Promise<void> {
  await build({ entryPoints: [ENTRY], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node18', logLevel: 'error', legalComments: 'none' });
}
