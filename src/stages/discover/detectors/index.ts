// Every discovery detector, grouped by ecosystem and artifact family.
import type { Detector } from '../types.js';
import { detectors as artifacts } from './artifacts/index.js';
import { detectors as docs } from './docs/index.js';
import { detectors as go } from './go/index.js';
import { detectors as jvm } from './jvm/index.js';
import { detectors as node } from './node/index.js';
import { detectors as php } from './php/index.js';
import { detectors as python } from './python/index.js';
import { detectors as ruby } from './ruby/index.js';
import { detectors as rust } from './rust/index.js';

export const ALL_DETECTORS: readonly Detector[] = [...artifacts, ...docs, ...node, ...python, ...go, ...jvm, ...rust, ...php, ...ruby];
