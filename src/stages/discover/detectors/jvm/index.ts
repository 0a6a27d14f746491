// The JVM (Java/Kotlin: Maven, Gradle; Spring Boot, Quarkus, Micronaut) detectors, in the order they run.
import type { Detector } from '../../types.js';
import { jvmCommandsDetector } from './commands.js';
import { jvmDatastoreDetector } from './datastores.js';
import { jvmEcosystemDetector } from './ecosystem.js';
import { jvmEnvDetector } from './env.js';
import { jvmFrameworkDetector } from './framework.js';
import { jvmHealthDetector } from './health.js';
import { jvmMigrateDetector } from './migrate.js';
import { jvmPortDetector } from './ports.js';
import { jvmRuntimeDetector } from './runtime.js';

export const detectors: Detector[] = [
  jvmEcosystemDetector, jvmRuntimeDetector, jvmFrameworkDetector, jvmCommandsDetector, jvmPortDetector,
  jvmHealthDetector, jvmEnvDetector, jvmDatastoreDetector, jvmMigrateDetector,
];
