import type { Command } from '../command.js';
import { grantsCommand } from './grants.js';
import { headersCommand } from './headers.js';
import { importCommand } from './import.js';
import { loginCommand } from './login.js';
import { logoutCommand } from './logout.js';
import { profilesCommand } from './profiles.js';
import { refreshCommand } from './refresh.js';
import { statusCommand } from './status.js';
import { tokenCommand } from './token.js';

/** Every command, in help order. */
export const COMMANDS: readonly Command[] = [
  loginCommand,
  statusCommand,
  grantsCommand,
  refreshCommand,
  tokenCommand,
  headersCommand,
  profilesCommand,
  importCommand,
  logoutCommand,
];
