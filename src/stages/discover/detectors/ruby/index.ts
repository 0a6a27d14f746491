// The ruby detectors, in the order they run.
import type { Detector } from '../../types.js';
import { rubyCommandsDetector } from './commands.js';
import { rubyDatastoreDetector } from './datastores.js';
import { rubyEcosystemDetector } from './ecosystem.js';
import { rubyEnvDetector } from './env.js';
import { rubyFrameworkDetector } from './framework.js';
import { rubyHealthDetector } from './health.js';
import { rubyPortDetector } from './ports.js';
import { rubyRailsConfigDetector } from './rails-config.js';
import { rubyRuntimeDetector } from './runtime.js';

export const detectors: Detector[] = [
  rubyEcosystemDetector, rubyRuntimeDetector, rubyFrameworkDetector, rubyCommandsDetector, rubyPortDetector,
  rubyHealthDetector, rubyEnvDetector, rubyRailsConfigDetector, rubyDatastoreDetector,
];
