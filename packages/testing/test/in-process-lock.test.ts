import { test } from 'vitest';
import { InProcessLock } from '@ads-token/core';
import { lockSuite } from '../src/index.js';

lockSuite(test, () => ({ lock: new InProcessLock() }), { name: 'InProcessLock' });
