// Fixed hash keys for tests: fingerprints and HMACs are reproducible, and two keys show they differ.
import type { HashKey } from '../../capture/hash.key.ts';

export const TEST_HASH_KEY: HashKey = { id: 'test-key-1', bytes: Buffer.alloc(32, 1) };
export const OTHER_HASH_KEY: HashKey = { id: 'test-key-2', bytes: Buffer.alloc(32, 2) };
/** The same key as an MCP_AUDIT_HASH_KEY value, for child processes and createCapture. */
export const TEST_HASH_KEY_HEX = TEST_HASH_KEY.bytes.toString('hex');
