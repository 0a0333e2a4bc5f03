import { scannerFor, type ScanSettings } from './entity-scanner.js';
import type { Finding } from './entity-types.js';

/** A request's texts as they cross to a TextScanPool thread. */
export interface TextScan {
  settings: ScanSettings;
  texts: readonly string[];
}

/** Scans on a worker thread (Piscina); scanners are built once per settings, as on the calling thread. */
export default function scanTexts({ settings, texts }: TextScan): Finding[][] {
  return scannerFor(settings).scanAll(texts);
}
