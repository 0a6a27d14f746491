// The Rust detectors, in the order they run.
import type { Detector } from '../../types.js';
import { rustBuildRiskDetector } from './build-risks.js';
import { rustDatastoreDetector } from './datastores.js';
import { rustEcosystemDetector } from './ecosystem.js';
import { rustEnvDetector } from './env.js';
import { rustFrameworkDetector } from './framework.js';
import { rustHealthDetector } from './health.js';
import { rustMigrateDetector } from './migrate.js';
import { rustPortDetector } from './ports.js';
import { rustRuntimeDetector } from './runtime.js';

export const detectors: Detector[] = [
  rustEcosystemDetector, rustRuntimeDetector, rustFrameworkDetector, rustPortDetector, rustHealthDetector, rustEnvDetector,
  rustDatastoreDetector, rustMigrateDetector, rustBuildRiskDetector,
];
