import { MemoryStore } from '../../src/storage/memory/memory-store.js';
import { runConformance } from './conformance.js';

runConformance('memory', async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
});
