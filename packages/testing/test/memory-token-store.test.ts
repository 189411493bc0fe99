import { test } from 'vitest';
import { MemoryTokenStore } from '@ads-token/core';
import { tokenStoreSuite } from '../src/index.js';

tokenStoreSuite(test, () => ({ store: new MemoryTokenStore() }), { name: 'MemoryTokenStore', subscribe: true });
