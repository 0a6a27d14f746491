// Detectors that read the repo's own deployment prose (DEPLOY.md, README deploy sections).
import type { Detector } from '../../types.js';
import { deployDocDetector } from './deploy-doc.js';

export const detectors: Detector[] = [deployDocDetector];
