import { describe } from 'vitest';
import { MemoryConsentStore } from '../fakes/memory-store';
import { storeContract } from './store-contract';

/** The in-memory store the use-case tests trust, held to the same contract as the DynamoDB adapter. */
describe('MemoryConsentStore (store contract)', () => {
  storeContract(async () => new MemoryConsentStore());
});
